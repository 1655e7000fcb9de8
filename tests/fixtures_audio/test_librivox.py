"""The LibriVox clip list from pocketsphinx-testdata."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.librivox import LIBRIVOX_DIR, librivox_clips


def test_parses_sphinx_transcription(tmp_path: Path) -> None:
    (tmp_path / "transcription").write_text(
        "<s> he was not an ill disposed young man </s> (utt-1)\n"
        "<s> no audio for this one </s> (utt-2)\n"
        "garbage line\n",
        encoding="utf-8",
    )
    (tmp_path / "utt-1.wav").write_bytes(b"RIFF")
    clips = librivox_clips(tmp_path)
    assert [(c.utterance_id, c.text) for c in clips] == [("utt-1", "he was not an ill disposed young man")]
    assert clips[0].path == tmp_path / "utt-1.wav"


def test_absent_package_gives_empty_list(tmp_path: Path) -> None:
    assert librivox_clips(tmp_path / "missing") == []


@pytest.mark.skipif(
    not (LIBRIVOX_DIR / "transcription").exists(), reason="pocketsphinx-testdata not installed"
)
def test_installed_clips() -> None:
    clips = librivox_clips()
    assert len(clips) == 5
    for clip in clips:
        assert clip.path.is_file()
        assert clip.text and "<s>" not in clip.text and clip.text == clip.text.lower()
