"""The session on real clips with a recording fake recogniser: speculative finals, ordering."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from tests.service.fakes import FakeTranscriber
from tests.voice.helpers import Clip, pick
from voice.codecs import to_internal
from voice.pool import InferencePool
from voice.session import FinalText, Rereader, SpeechBoundary, VoiceEvent, VoiceSession
from voice.stt import Transcript


class RecordingTranscriber(FakeTranscriber):
    """Returns the decoded audio's length as text and records every call."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.encoded = 0
        self.chunks: list[int] = []

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        if not partial:
            self.calls.append(len(audio))
        return Transcript(text=f"samples {len(audio)}", confidence=0.9)

    def encode_for_scoring(self, audio: np.ndarray) -> np.ndarray:
        self.encoded += 1
        return audio

    def score_encoded(
        self, encoded: np.ndarray, prefix: str, continuations: Sequence[str], context: bool = True
    ) -> list[float]:
        self.chunks.append(len(continuations))
        return [-float(len(c)) for c in continuations]


async def _run(clip: Clip, tail: np.ndarray) -> tuple[RecordingTranscriber, list[VoiceEvent]]:
    stt = RecordingTranscriber()
    events: list[VoiceEvent] = []

    async def emit(event: VoiceEvent) -> None:
        events.append(event)

    async def on_final(*_args: object) -> None:
        return None

    session = VoiceSession("t", transcriber=stt, pool=InferencePool(workers=2, max_queue=4), emit=emit,
                           on_final=on_final)
    session.start("pcm_s16le", 16000)
    await session.ptt(True)
    pcm = (np.concatenate([clip.samples(), tail]) * 32767).astype("<i2").tobytes()
    for i in range(0, len(pcm), 640):
        await session.audio(pcm[i:i + 640])
        await asyncio.sleep(0)  # let speculative work start as it would in real time
    await asyncio.sleep(0.05)
    await session.ptt(False)
    await session.stop()
    return stt, events


async def test_speculative_final_is_used_when_no_speech_follows(clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", intent="plate_lookup", n=1)[0]
    stt, events = await _run(clip, np.zeros(16000, dtype=np.float32))  # key held 1 s after speech
    finals = [e for e in events if isinstance(e, FinalText)]
    assert len(finals) == 1 and len(stt.calls) == 1
    # The speculative decode covered the speech and its tail, not the silence before key-up.
    speech_s = clip.entry["speech_end_s"] - clip.entry["speech_start_s"]
    assert speech_s <= stt.calls[0] / 16000 < speech_s + 1.0
    assert [type(e) for e in events if isinstance(e, SpeechBoundary)] == [SpeechBoundary, SpeechBoundary]


async def test_speech_after_the_pause_discards_the_speculation(clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", intent="plate_lookup", n=1)[0]
    audio = to_internal(clip.samples(), clip.rate)
    start = int(clip.entry["speech_start_s"] * 16000)
    more_speech = audio[start:start + 16000]
    tail = np.concatenate([np.zeros(8000, dtype=np.float32), more_speech, np.zeros(4000, dtype=np.float32)])
    stt, events = await _run(clip, tail)
    finals = [e for e in events if isinstance(e, FinalText)]
    assert len(finals) == 1
    # The transcript is of the whole utterance (both stretches of speech), not the first part.
    assert finals[0].transcript.text == f"samples {max(stt.calls)}"
    assert max(stt.calls) / 16000 >= clip.entry["speech_end_s"] - clip.entry["speech_start_s"] + 1.0


async def test_many_candidates_are_scored_in_short_jobs() -> None:
    """Names on file: the encoder runs once, then eight candidates per pool job, so another
    session's final waits behind one short job, not the whole pass."""
    stt = RecordingTranscriber()

    async def ignore(*_args: object) -> None:
        return None

    session = VoiceSession("t", transcriber=stt, pool=InferencePool(workers=1, max_queue=4), emit=ignore,
                           on_final=ignore)
    again = session._rereader(np.zeros(16000, dtype=np.float32), Transcript(text="x", confidence=0.9))
    names = tuple(f"name {'x' * i}," for i in range(20))
    scores = await again.score("Person check on", names, False)
    assert scores == [-float(len(n)) for n in names]
    assert stt.encoded == 1 and stt.chunks == [8, 8, 4]
    assert await again.score("Run plate", ("a.", "b."), True) == [0.0, 0.0]  # few: one job
    assert stt.encoded == 1


class ScriptedTranscriber(FakeTranscriber):
    """Says what the script gives for an audio length; records the lengths it decoded."""

    def __init__(self, script: dict[int, str]) -> None:
        self.script = script
        self.calls: list[int] = []
        self.refined: list[int] = []

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        self.calls.append(len(audio))
        text = self.script.get(len(audio), "")
        return Transcript(text=text, confidence=0.9 if text else 0.0)

    def refine(self, audio: np.ndarray, first: Transcript) -> tuple[str, ...]:
        self.refined.append(len(audio))
        return ()


async def _finals(script: dict[int, str], lengths: Sequence[int], *, pause_s: float = 0.0,
                  window_s: float = 12.0) -> tuple[ScriptedTranscriber, list[FinalText]]:
    """Utterances of the given lengths through a session with the radio turn-taking rules; the
    spelling pass is asked for on each final, so ``refined`` says what audio it read."""
    from lookup.turns import RadioTurns
    from voice.session import SessionOptions

    stt = ScriptedTranscriber(script)
    events: list[VoiceEvent] = []

    async def emit(event: VoiceEvent) -> None:
        events.append(event)

    async def on_final(_utterance: int, _transcript: Transcript, again: Rereader | None,
                       _typed: bool) -> None:
        assert again is not None
        await again.refine()

    session = VoiceSession("t", transcriber=stt, pool=InferencePool(workers=1, max_queue=4), emit=emit,
                           on_final=on_final, options=SessionOptions(join_window_s=window_s),
                           turns=RadioTurns())
    for n in lengths:
        session._enqueue(session.next_utterance(), np.zeros(n, dtype=np.float32))
        await asyncio.sleep(pause_s)
    await session.stop()
    return stt, [e for e in events if isinstance(e, FinalText)]


_GAP = 4800  # samples of silence put between an opening and its continuation (0.3 s)


async def test_an_opening_is_read_with_the_utterance_after_it() -> None:
    """"Control, run a licence check." [pause] "Delta 4 5 1 2 7 7 3": alone, the second is a bare
    spelled run (a plate, by default); read with the opening it is the licence asked for."""
    script = {16000: "Control, run a licence check.", 24000: "Delta 4 5 1 2 7 7 3",
              16000 + _GAP + 24000: "Control, run a licence check, Delta 4 5 1 2 7 7 3."}
    stt, finals = await _finals(script, [16000, 24000])
    assert [f.transcript.text for f in finals] == [script[16000], script[16000 + _GAP + 24000]]
    assert stt.calls == [16000, 24000, 16000 + _GAP + 24000]
    assert stt.refined == [16000, 16000 + _GAP + 24000]  # the spelling pass reads the joined audio


async def test_a_request_with_its_own_keyword_is_not_joined() -> None:
    script = {16000: "Control, run plate.", 24000: "Person check, Hiroshi Sato, date of birth 4 March 1985."}
    stt, finals = await _finals(script, [16000, 24000])
    assert [f.transcript.text for f in finals] == [script[16000], script[24000]]
    assert stt.calls == [16000, 24000]


async def test_only_the_next_utterance_is_joined_and_only_within_the_window() -> None:
    script = {16000: "Control, run plate.", 24000: "Seven X-ray Yankee Zulu four five six.",
              16000 + _GAP + 24000: "Control, run plate seven X-ray Yankee Zulu four five six.",
              8000: "Seven X-ray."}
    stt, finals = await _finals(script, [16000, 24000, 8000])
    joined = script[16000 + _GAP + 24000]
    assert [f.transcript.text for f in finals] == [script[16000], joined, "Seven X-ray."]
    stt, finals = await _finals(script, [16000, 24000], pause_s=0.2, window_s=0.1)
    assert [f.transcript.text for f in finals] == [script[16000], script[24000]]  # too late: alone


async def test_noise_between_the_opening_and_the_rest_keeps_the_opening() -> None:
    script = {16000: "Control, run plate.", 24000: "Seven X-ray Yankee Zulu four five six.",
              16000 + _GAP + 24000: "Control, run plate seven X-ray Yankee Zulu four five six."}
    stt, finals = await _finals(script, [16000, 3000, 24000])  # 3000 samples of noise: no text
    assert [f.transcript.text for f in finals] == [script[16000], "", script[16000 + _GAP + 24000]]


async def test_long_utterances_are_never_held_as_openings() -> None:
    long = 16000 * 7  # over max_opening_s (6 s)
    script = {long: "Control, run plate.", 24000: "Seven X-ray Yankee Zulu four five six."}
    stt, finals = await _finals(script, [long, 24000])
    assert stt.calls == [long, 24000]
