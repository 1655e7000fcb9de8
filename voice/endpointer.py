"""Utterance endpointing: webrtcvad with pre-roll and hang-over, plus push-to-talk.

Speech starts when most frames of a short window are voiced (so clicks and breaths
shorter than ``min_speech_ms`` never open an utterance); the audio handed on begins
``preroll_ms`` before the first voiced frame, so the first syllable is not clipped.
Without PTT, an utterance ends after ``hangover_ms`` of non-speech. PTT key-up ends it
at once, and an utterance longer than ``max_utterance_s`` is cut. A frame only counts
as voiced if webrtcvad says so *and* it stands above the running noise floor, which
keeps steady radio hiss from holding an utterance open. When frames stop arriving
(gateways with silence suppression), :meth:`Endpointer.idle` counts the wall-clock gap
as silence, so the utterance still ends on the hang-over rule.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Literal

import numpy as np
import webrtcvad

from voice.codecs import INTERNAL_RATE

EndReason = Literal["vad", "ptt", "max_length", "stop", "gap"]


@dataclass(frozen=True, slots=True)
class EndpointerOptions:
    """Endpointer tuning.

    Attributes:
        aggressiveness: webrtcvad mode, 0 (keeps most) to 3 (drops most non-speech).
        frame_ms: analysis frame (webrtcvad accepts 10, 20 or 30 ms).
        preroll_ms: audio kept before the first voiced frame.
        min_speech_ms: voiced time within ``start_window_ms`` that opens an utterance.
        start_window_ms: window over which ``min_speech_ms`` must be voiced.
        hangover_ms: non-speech that closes an utterance when PTT is not held.
        tail_ms: audio kept after the last voiced frame.
        max_utterance_s: hard cap; a longer utterance is cut and a new one may start.
        floor_margin_db: a voiced frame must exceed the noise floor by this much.
        ptt_min_speech_ms: ``min_speech_ms`` while PTT is held (the key says speech is coming).
        max_lookback_ms: how far back a flickering onset may be followed when speech opens.
    """

    aggressiveness: int = 2
    frame_ms: int = 30
    preroll_ms: int = 500
    min_speech_ms: int = 180
    start_window_ms: int = 300
    hangover_ms: int = 700
    tail_ms: int = 600
    max_utterance_s: float = 20.0
    floor_margin_db: float = 2.0
    ptt_min_speech_ms: int = 60
    max_lookback_ms: int = 3000


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """An utterance opened; ``start_s`` is the first voiced frame, in stream seconds."""

    start_s: float


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """An utterance closed, with its audio (pre-roll and tail included)."""

    audio: np.ndarray
    start_s: float
    end_s: float
    reason: EndReason
    last_voiced_frame: int = -1


EndpointEvent = SpeechStarted | SpeechEnded


class Endpointer:
    """Per-session endpointer. Feed 16 kHz float32 samples; get start/end events back."""

    def __init__(self, options: EndpointerOptions | None = None) -> None:
        self.options = o = options or EndpointerOptions()
        self._vad = webrtcvad.Vad(o.aggressiveness)
        self._frame = INTERNAL_RATE * o.frame_ms // 1000
        self._pending = np.zeros(0, dtype=np.float32)
        self._frames_done = 0
        self._preroll_frames = max(1, o.preroll_ms // o.frame_ms)
        window = max(1, o.start_window_ms // o.frame_ms)
        self._window = collections.deque[bool](maxlen=window)
        self._warmup_frames = window
        lookback = max(self._preroll_frames + window, o.max_lookback_ms // o.frame_ms)
        self._history = collections.deque[np.ndarray](maxlen=lookback)
        self._history_db = collections.deque[float](maxlen=lookback)
        self._history_voiced = collections.deque[bool](maxlen=lookback)
        self._energies = collections.deque[float](maxlen=int(3000 / o.frame_ms))
        self._active = False
        self._ptt = False
        self._utt: list[np.ndarray] = []
        self._utt_db: list[float] = []
        self._utt_first_frame = 0
        self._start_s = 0.0
        self._last_voiced_frame = 0
        self._silence_frames = 0
        self._gap_ms = 0

    @property
    def in_speech(self) -> bool:
        """True while an utterance is open."""
        return self._active

    @property
    def ptt_held(self) -> bool:
        """True while the PTT key is pressed."""
        return self._ptt

    def current_audio(self) -> np.ndarray:
        """Audio of the open utterance so far (for partial transcripts)."""
        return np.concatenate(self._utt) if self._utt else np.zeros(0, dtype=np.float32)

    @property
    def last_voiced_frame(self) -> int:
        """Index of the last voiced frame of the open utterance (changes when speech resumes)."""
        return self._last_voiced_frame

    @property
    def silence_ms(self) -> int:
        """Non-speech since the last voiced frame of the open utterance (a frame gap included)."""
        return self._silence_frames * self.options.frame_ms + self._gap_ms if self._active else 0

    def speech_audio(self) -> np.ndarray:
        """Audio of the open utterance up to its last voiced frame plus the tail."""
        o = self.options
        keep = self._last_voiced_frame + 1 + o.tail_ms // o.frame_ms - self._utt_first_frame
        return self.current_audio()[: max(0, keep) * self._frame]

    def feed(self, samples: np.ndarray) -> list[EndpointEvent]:
        """Process decoded samples and return the boundary events they caused."""
        events: list[EndpointEvent] = []
        self._gap_ms = 0  # frames came after all: the gap was jitter, the stream says what it held
        buf = np.concatenate([self._pending, samples]) if len(self._pending) else samples
        n_full = len(buf) // self._frame
        for i in range(n_full):
            events.extend(self._frame_step(buf[i * self._frame : (i + 1) * self._frame]))
        self._pending = buf[n_full * self._frame :].copy()
        return events

    def ptt(self, pressed: bool) -> list[EndpointEvent]:
        """Key-down holds the utterance open; key-up ends it at once."""
        self._ptt = pressed
        if pressed or not self._active:
            return []
        if len(self._pending):
            self._utt.append(self._pending)
            self._pending = np.zeros(0, dtype=np.float32)
        return [self._close("ptt", keep_all=True)]

    def idle(self, gap_ms: int) -> list[EndpointEvent]:
        """No frame has arrived for ``gap_ms`` of wall time: count the gap as silence.

        The open utterance ends (reason ``"gap"``, trimmed to the tail as for VAD silence)
        once the non-speech after its last voiced frame, in the stream plus the gap, reaches
        ``hangover_ms``; a held PTT key keeps it open, as it does through real silence. No
        audio is made up for the gap: if frames arrive after all (jitter), the utterance goes
        on with exactly what was sent.
        """
        self._gap_ms = max(0, gap_ms)
        if not self._active or self._ptt:
            return []
        if self.silence_ms < self.options.hangover_ms:
            return []
        if len(self._pending):
            self._utt.append(self._pending)
            self._pending = np.zeros(0, dtype=np.float32)
        return [self._close("gap", keep_all=False)]

    def finish(self) -> list[EndpointEvent]:
        """End of stream: close an open utterance with what has arrived."""
        self._ptt = False
        if not self._active:
            return []
        if len(self._pending):
            self._utt.append(self._pending)
            self._pending = np.zeros(0, dtype=np.float32)
        return [self._close("stop", keep_all=True)]

    def _floor_db(self) -> float:
        return float(np.percentile(self._energies, 10)) if self._energies else -100.0

    def _is_voiced(self, frame: np.ndarray, energy_db: float) -> bool:
        # Until the noise floor is known (the first 300 ms), nothing counts as speech: a
        # stream that opens on steady hiss would otherwise trigger at once.
        warmed_up = len(self._energies) >= self._warmup_frames
        above_floor = energy_db > self._floor_db() + self.options.floor_margin_db
        self._energies.append(energy_db)
        if not (warmed_up and above_floor):
            return False
        pcm = (np.clip(frame, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        return bool(self._vad.is_speech(pcm, INTERNAL_RATE))

    def _frame_step(self, frame: np.ndarray) -> list[EndpointEvent]:
        o = self.options
        index = self._frames_done
        self._frames_done += 1
        energy_db = 10 * float(np.log10(float(np.mean(frame.astype(np.float64) ** 2)) + 1e-10))
        voiced = self._is_voiced(frame, energy_db)
        if not self._active:
            self._history.append(frame)
            self._history_db.append(energy_db)
            self._history_voiced.append(voiced)
            self._window.append(voiced)
            voiced_ms = sum(self._window) * o.frame_ms
            # With the key held the officer is talking: a short voiced run opens the utterance
            # (under radio noise the VAD flickers, and 180 ms out of 300 can come only seconds
            # into the speech, losing its start).
            if voiced_ms < (min(o.ptt_min_speech_ms, o.min_speech_ms) if self._ptt else o.min_speech_ms):
                return []
            # Open the utterance: first voiced frame of the window, plus pre-roll before it.
            first_voiced = len(self._window) - list(self._window).index(True)
            # Walk back over a flickering onset: while the window before the start still holds
            # voiced frames, speech was already under way (radio noise at 10 dB: the VAD can
            # reach 180 ms out of 300 only seconds into the speech).
            flags = list(self._history_voiced)
            w = len(self._window)
            while (first_voiced < len(flags)
                   and sum(flags[max(0, len(flags) - first_voiced - w) : len(flags) - first_voiced]) >= 2):
                first_voiced += 1
            # Walk back over the weak onset (frames above the floor that the VAD missed).
            floor = self._floor_db() + self.options.floor_margin_db
            energies = list(self._history_db)
            while first_voiced < len(energies) and energies[-first_voiced - 1] > floor:
                first_voiced += 1
            start_frame = index + 1 - first_voiced
            keep = min(len(self._history), first_voiced + self._preroll_frames)
            self._utt = list(self._history)[-keep:]
            self._utt_db = list(self._history_db)[-keep:]
            self._utt_first_frame = index + 1 - keep
            self._history.clear()
            self._history_db.clear()
            self._history_voiced.clear()
            self._window.clear()
            self._active = True
            self._start_s = start_frame * o.frame_ms / 1000
            self._last_voiced_frame = index
            self._silence_frames = 0
            return [SpeechStarted(self._start_s)]
        self._utt.append(frame)
        self._utt_db.append(energy_db)
        if voiced:
            self._last_voiced_frame = index
            self._silence_frames = 0
        else:
            self._silence_frames += 1
        duration_s = (index + 1 - self._utt_first_frame) * o.frame_ms / 1000
        if duration_s >= o.max_utterance_s:
            return self._cut_for_length()
        if not self._ptt and self._silence_frames * o.frame_ms >= o.hangover_ms:
            return [self._close("vad", keep_all=False)]
        return []

    def _cut_for_length(self) -> list[EndpointEvent]:
        events: list[EndpointEvent] = [self._close("max_length", keep_all=True)]
        if self._ptt:
            # The key is still held: the next audio belongs to a new utterance straight away.
            self._active = True
            self._utt = []
            self._utt_db = []
            self._utt_first_frame = self._frames_done
            self._start_s = self._frames_done * self.options.frame_ms / 1000
            self._last_voiced_frame = self._frames_done
            self._silence_frames = 0
            events.append(SpeechStarted(self._start_s))
        return events

    def _close(self, reason: EndReason, *, keep_all: bool) -> SpeechEnded:
        o = self.options
        end_frame = self._last_voiced_frame + 1
        # Extend over the weak offset (trailing consonants above the floor that the VAD missed).
        floor = self._floor_db() + o.floor_margin_db
        while (end_frame - self._utt_first_frame < len(self._utt_db)
               and self._utt_db[end_frame - self._utt_first_frame] > floor):
            end_frame += 1
        audio = np.concatenate(self._utt) if self._utt else np.zeros(0, dtype=np.float32)
        if not keep_all:
            tail_frames = o.tail_ms // o.frame_ms
            keep_frames = end_frame + tail_frames - self._utt_first_frame
            audio = audio[: max(0, keep_frames) * self._frame]
        event = SpeechEnded(audio=audio, start_s=self._start_s, end_s=end_frame * o.frame_ms / 1000,
                            reason=reason, last_voiced_frame=self._last_voiced_frame)
        self._active = False
        self._utt = []
        self._utt_db = []
        self._silence_frames = 0
        self._gap_ms = 0
        return event
