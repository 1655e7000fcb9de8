"""Endpointer boundaries on real fixture clips, clicks, PTT and the length cap."""

from __future__ import annotations

import numpy as np
import pytest

from tests.voice.helpers import Clip, pick
from voice.codecs import to_internal
from voice.endpointer import Endpointer, EndpointerOptions, SpeechEnded, SpeechStarted

TOLERANCE_S = 0.150


def _run(ep: Endpointer, audio: np.ndarray, frame: int = 320) -> list[SpeechStarted | SpeechEnded]:
    events: list[SpeechStarted | SpeechEnded] = []
    for i in range(0, len(audio), frame):
        events.extend(ep.feed(audio[i:i + frame]))
    events.extend(ep.finish())
    return events


# Share of clips whose start and end must both fall within 150 ms of the truth.
REQUIRED = {"clean": 1.0, "radio20": 0.85, "radio10": 0.75}


@pytest.mark.parametrize("channel", sorted(REQUIRED))
def test_boundaries_within_150ms_on_real_clips(clips: list[Clip], channel: str) -> None:
    chosen = [c for c in clips if c.entry["channel"] == channel]
    within = 0
    for clip in chosen:
        audio = to_internal(clip.samples(), clip.rate)
        events = _run(Endpointer(), audio)
        starts = [e for e in events if isinstance(e, SpeechStarted)]
        ends = [e for e in events if isinstance(e, SpeechEnded)]
        assert len(starts) == 1 and len(ends) == 1, (clip.path.name, events)
        assert ends[0].reason in ("vad", "stop")  # some clips end less than a hang-over after speech
        truth_start, truth_end = clip.entry["speech_start_s"], clip.entry["speech_end_s"]
        start_err, end_err = starts[0].start_s - truth_start, ends[0].end_s - truth_end
        within += abs(start_err) <= TOLERANCE_S and abs(end_err) <= TOLERANCE_S
        # Never far off, and the audio handed on covers the whole of the speech.
        assert abs(start_err) <= 0.4 and abs(end_err) <= 0.4, (clip.path.name, start_err, end_err)
        assert len(ends[0].audio) / 16000 >= truth_end - truth_start
    assert within / len(chosen) >= REQUIRED[channel], f"{within}/{len(chosen)} within 150 ms"


def test_clicks_and_short_bursts_are_not_utterances(clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", n=1)[0]
    audio = to_internal(clip.samples(), clip.rate)
    start = int(clip.entry["speech_start_s"] * 16000)
    silence = np.zeros(16000, dtype=np.float32)
    burst = audio[start:start + int(0.12 * 16000)]  # 120 ms of real speech (30 ms frames: <= 150 ms voiced)
    click = np.zeros(160, dtype=np.float32)
    click[:8] = 0.9
    events = _run(Endpointer(), np.concatenate([silence, burst, silence, click, silence, click, silence]))
    assert events == []


def test_ptt_keyup_ends_the_utterance_at_once(clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", n=1)[0]
    audio = to_internal(clip.samples(), clip.rate)
    cut = int((clip.entry["speech_start_s"] + 1.0) * 16000)  # key released mid-sentence
    ep = Endpointer()
    assert ep.ptt(True) == []
    events = _run_no_finish(ep, audio[:cut])
    assert [type(e) for e in events] == [SpeechStarted]
    ended = ep.ptt(False)
    assert len(ended) == 1 and isinstance(ended[0], SpeechEnded) and ended[0].reason == "ptt"
    assert len(ended[0].audio) >= int(1.0 * 16000)


def test_ptt_held_through_a_pause_keeps_one_utterance(clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", n=1)[0]
    audio = to_internal(clip.samples(), clip.rate)
    gap = np.zeros(int(1.5 * 16000), dtype=np.float32)  # longer than the hang-over
    ep = Endpointer()
    ep.ptt(True)
    events = _run_no_finish(ep, np.concatenate([audio, gap, audio]))
    events += ep.ptt(False)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]


def test_overlong_utterance_is_cut(clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", n=1)[0]
    audio = to_internal(clip.samples(), clip.rate)
    ep = Endpointer(EndpointerOptions(max_utterance_s=2.0))
    ep.ptt(True)
    events = _run_no_finish(ep, np.tile(audio, 2))
    cuts = [e for e in events if isinstance(e, SpeechEnded) and e.reason == "max_length"]
    assert cuts, events
    assert all(len(e.audio) <= int(2.05 * 16000) for e in cuts)
    # With the key still held, the next audio opens a new utterance straight away.
    assert isinstance(events[-1], SpeechStarted) or isinstance(events[-1], SpeechEnded)


def _run_no_finish(ep: Endpointer, audio: np.ndarray) -> list[SpeechStarted | SpeechEnded]:
    events: list[SpeechStarted | SpeechEnded] = []
    for i in range(0, len(audio), 320):
        events.extend(ep.feed(audio[i:i + 320]))
    return events


def test_with_the_key_held_a_noisy_start_is_not_lost(clips: list[Clip]) -> None:
    """Radio at 10 dB: webrtcvad flickers, and 180 ms voiced out of 300 came only at the digits
    (2.3 s into this clip's speech), so the opening words were never transcribed. With the key
    held, a short voiced run opens the utterance."""
    clip = next(c for c in clips if c.entry["file"] == "l01_piper-joe-100_radio10.wav")
    audio = to_internal(clip.samples(), clip.rate)
    late = Endpointer(EndpointerOptions(min_speech_ms=200, ptt_min_speech_ms=1000, max_lookback_ms=0))
    late.ptt(True)
    first = _run_no_finish(late, audio)[0]
    assert isinstance(first, SpeechStarted) and first.start_s > clip.entry["speech_start_s"] + 1.0
    ep = Endpointer(EndpointerOptions(min_speech_ms=200))
    ep.ptt(True)
    started = _run_no_finish(ep, audio)
    assert isinstance(started[0], SpeechStarted)
    assert abs(started[0].start_s - clip.entry["speech_start_s"]) < 0.2
    ended = ep.ptt(False)[0]
    assert isinstance(ended, SpeechEnded)
    assert len(ended.audio) / 16000 >= clip.entry["speech_end_s"] - clip.entry["speech_start_s"]


def test_without_the_key_a_flickering_onset_is_followed_back(clips: list[Clip]) -> None:
    """No PTT, radio at 10 dB: the utterance opens where the VAD's voiced frames began to cluster,
    not where 200 ms out of 300 were first voiced (13 of the 67 clips opened more than 0.3 s late
    that way, one of them 2.3 s late); and it does not reach back into the noise before."""
    late = []
    for clip in (c for c in clips if c.entry["channel"] == "radio10"):
        audio = to_internal(clip.samples(), clip.rate)
        events = _run(Endpointer(EndpointerOptions(min_speech_ms=200)), audio)
        started = [e for e in events if isinstance(e, SpeechStarted)]
        assert started, clip.entry["file"]
        assert started[0].start_s > clip.entry["speech_start_s"] - 0.3, clip.entry["file"]
        if started[0].start_s > clip.entry["speech_start_s"] + 0.3:
            late.append((clip.entry["file"], started[0].start_s - clip.entry["speech_start_s"]))
    assert len(late) <= 1 and all(delay < 1.0 for _, delay in late), late
