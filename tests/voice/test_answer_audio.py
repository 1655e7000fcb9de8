"""The spoken answer without a server: G.711 encoders, tones, phrases, real espeak-ng audio."""

from __future__ import annotations

import asyncio
import warnings

import numpy as np
import pytest

from common.errors import PatrolError
from voice.answer_audio import Answer, AnswerChannel, AnswerOptions, AnswerVoice
from voice.codecs import ALAW_TO_PCM16, ULAW_TO_PCM16, Decoder
from voice.encoders import encode, encode_alaw, encode_ulaw
from voice.errors import AudioError, SynthesisError
from voice.speakable import answer_phrases, date_words, speakable, year_words
from voice.tones import PATTERNS, TONE_LEVEL, AnswerClass, classify, tone
from voice.tts import EspeakOptions, EspeakSynthesizer, Speech, parse_wav

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

STOLEN = [{"kind": "stolen", "officer_safety": False}]
WANTED = [{"kind": "wanted", "officer_safety": True}]
PLATE_READBACK = ("Seven X-ray Yankee Zulu four five six, grey Toyota Camry, registered owner John Smith, "
                  "STOLEN.")


def decode(answer: Answer) -> np.ndarray:
    """The answer's bytes decoded in its own codec, at its own rate (no resampling)."""
    if answer.encoding == "pcm_s16le":
        pcm = np.frombuffer(answer.audio, dtype="<i2")
    else:
        table = ULAW_TO_PCM16 if answer.encoding == "mulaw" else ALAW_TO_PCM16
        pcm = table[np.frombuffer(answer.audio, dtype=np.uint8)]
    return pcm.astype(np.float32) / 32768.0


@pytest.fixture(scope="module")
def voice() -> AnswerVoice:
    return AnswerVoice(EspeakSynthesizer(EspeakOptions(wpm=160)),
                       spelled=EspeakSynthesizer(EspeakOptions(wpm=140, word_gap_10ms=3)))


# --- encoders ---------------------------------------------------------------------------


def test_g711_encoders_invert_the_decoders_and_match_audioop() -> None:
    codes = np.arange(256)
    ulaw = np.frombuffer(encode_ulaw(ULAW_TO_PCM16[codes]), dtype=np.uint8)
    # u-law has two codes for zero (0x7F, 0xFF); every other code comes back as itself.
    assert [c for c in codes if ulaw[c] != c] == [0x7F]
    alaw = np.frombuffer(encode_alaw(ALAW_TO_PCM16[codes]), dtype=np.uint8)
    assert (alaw == codes).all()
    pcm = np.random.default_rng(1).integers(-32768, 32768, 4000).astype(np.int16)
    assert encode_ulaw(pcm) == audioop.lin2ulaw(pcm.tobytes(), 2)
    assert encode_alaw(pcm) == audioop.lin2alaw(pcm.tobytes(), 2)


def test_encode_refuses_unknown_encodings() -> None:
    with pytest.raises(AudioError) as err:
        encode(np.zeros(10, dtype=np.float32), "opus")
    assert err.value.code == "bad_encoding"


# --- tones ------------------------------------------------------------------------------


def _spectrum(x: np.ndarray, rate: int) -> np.ndarray:
    mag = np.abs(np.fft.rfft(x, n=rate))  # 1 Hz bins
    return mag / np.linalg.norm(mag)


def test_tone_patterns_are_distinct_in_band_and_under_full_scale() -> None:
    rate = 8000
    spectra = {k: _spectrum(tone(k, rate), rate) for k in AnswerClass}
    kinds = list(AnswerClass)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            similarity = float(spectra[a] @ spectra[b])
            assert similarity < 0.3, (a, b, similarity)
    for kind in kinds:
        x = tone(kind, rate)
        power = np.abs(np.fft.rfft(x, n=rate)) ** 2
        assert power[300:3400].sum() / power.sum() > 0.98, kind  # survives the telephone band
        assert np.max(np.abs(x)) <= TONE_LEVEL + 1e-6
        assert len(x) <= rate // 2 + 1, kind  # heard in half a second
        assert abs(x[0]) < 0.01 and abs(x[-1]) < 0.01  # ramped edges: no click


def test_tone_classes_follow_the_result() -> None:
    assert classify("hit", WANTED) is AnswerClass.ALERT
    assert classify("hit", [{"kind": "caution", "officer_safety": False}]) is AnswerClass.ALERT
    assert classify("hit", STOLEN) is AnswerClass.STOLEN
    assert classify("hit", STOLEN + WANTED) is AnswerClass.ALERT
    assert classify("clear", []) is AnswerClass.CLEAR
    assert classify("no_match", []) is AnswerClass.SAY_AGAIN
    assert classify("clarify", []) is AnswerClass.SAY_AGAIN
    assert set(PATTERNS) == set(AnswerClass)


# --- text -------------------------------------------------------------------------------


def test_dates_and_numbers_are_read_as_words() -> None:
    assert date_words("1985-07-04") == "fourth of July nineteen eighty-five"
    assert date_words("2003-11-22") == "twenty-second of November two thousand three"
    assert date_words("1900-01-31") == "thirty-first of January nineteen hundred"
    assert year_words(2015) == "twenty fifteen" and year_words(1907) == "nineteen oh seven"
    assert speakable("born 1979-11-12, 3 possible, case 4412") == (
        "born twelfth of November nineteen seventy-nine, three possible, case four four one two")
    assert speakable("licence SUSPENDED") == "licence Suspended"


def test_phrases_put_the_alert_first_and_mark_the_spelled_identity() -> None:
    phrases = answer_phrases("hit", PLATE_READBACK, has_alerts=True, has_candidates=True)
    assert [p.kind for p in phrases] == ["alert", "identity", "detail", "detail"]
    assert phrases[0].text == "Stolen." and phrases[0].fixed
    assert phrases[1].spelled and phrases[1].text.startswith("Seven X-ray Yankee Zulu")
    assert not any(p.spelled for p in phrases[2:])
    person = answer_phrases("hit", "Hiroshi Sato, born 1971-03-02, licence SUSPENDED, CAUTION, use caution.",
                            has_alerts=True, has_candidates=True)
    assert person[0].text == "Caution, Use caution."
    assert [p.kind for p in person[1:]] == ["identity", "identity", "status"]
    # Officer safety leads the alert words, whatever order the readback wrote them in.
    many = answer_phrases("hit", "Marcus Quill, born 1979-02-11, WANTED, MISSING PERSON, use caution.",
                          has_alerts=True, has_candidates=True)
    assert many[0].text == "Use caution, Wanted, Missing person."
    fixed = answer_phrases("clarify", "Say again plate.", has_alerts=False, has_candidates=False)
    assert len(fixed) == 1 and fixed[0].fixed


# --- espeak-ng --------------------------------------------------------------------------


def test_espeak_speaks_and_parse_wav_rejects_garbage() -> None:
    speech = EspeakSynthesizer().synthesize("Go ahead.")
    assert speech.rate == 22050 and 0.3 < speech.seconds < 2.0
    assert 0.05 < float(np.max(np.abs(speech.samples))) < 1.0
    with pytest.raises(SynthesisError):
        parse_wav(b"not a wav file at all, but long enough to have a header.......")


def test_synthesis_failures_have_their_own_codes() -> None:
    with pytest.raises(SynthesisError) as missing:
        EspeakSynthesizer(EspeakOptions(executable="/nonexistent/espeak-ng")).synthesize("hello")
    assert missing.value.code == "tts_unavailable"
    with pytest.raises(SynthesisError) as slow:
        EspeakSynthesizer(EspeakOptions(timeout_s=0.001)).synthesize("a long sentence " * 20)
    assert slow.value.code == "tts_timeout"
    with pytest.raises(SynthesisError) as long:
        EspeakSynthesizer(EspeakOptions(max_chars=10)).synthesize("far more than ten characters")
    assert long.value.code == "tts_failed"


@pytest.mark.parametrize(("encoding", "rate"), [("mulaw", 8000), ("alaw", 8000), ("pcm_s16le", 16000),
                                                ("pcm_s16le", 48000)])
def test_answer_audio_decodes_in_its_codec_tone_first_not_clipped(voice: AnswerVoice, encoding: str,
                                                                  rate: int) -> None:
    answer = voice.build("hit", STOLEN, PLATE_READBACK, encoding=encoding, rate=rate)
    assert (answer.encoding, answer.rate, answer.tone) == (encoding, rate, AnswerClass.STOLEN)
    samples = decode(answer)
    assert abs(len(samples) / rate * 1000 - answer.duration_ms) <= 1
    assert 2000 < answer.duration_ms <= 6000  # the length limit holds ...
    assert answer.phrases[0] == "Stolen." and answer.phrases[1].startswith("Seven X-ray")  # ... alert first
    # The tone leads: its samples match the pattern; speech only starts after it.
    head = samples[:answer.tone_samples]
    reference = tone(AnswerClass.STOLEN, rate)
    assert float(np.corrcoef(head, reference)[0, 1]) > 0.99
    speech = samples[answer.tone_samples:]
    assert np.max(np.abs(speech[: rate // 10])) < 0.01  # the gap after the tone
    peak = float(np.max(np.abs(samples)))
    rms_db = 20 * np.log10(float(np.sqrt(np.mean(speech ** 2))))
    assert peak < 0.9, peak
    assert -30 < rms_db < -10, rms_db


def test_long_answers_drop_details_unless_full(voice: AnswerVoice) -> None:
    short = voice.build("hit", STOLEN, PLATE_READBACK, encoding="mulaw", rate=8000)
    full = voice.build("hit", STOLEN, PLATE_READBACK, encoding="mulaw", rate=8000, full=True)
    assert full.duration_ms > short.duration_ms and short.duration_ms <= 6000
    assert len(full.phrases) == 4 and "registered owner John Smith." in full.phrases


# An owner wanted and missing, the car stolen, the licence suspended: at the normal pace the
# alert and the spelled plate alone run past six seconds.
CROWDED = ("Quebec Quebec seven zero Zulu Zulu Zulu, green Ford Focus, registered owner Marcus Quill, "
           "owner licence SUSPENDED, WANTED, STOLEN, MISSING PERSON, use caution.")
CROWDED_ALERTS = [{"kind": k, "officer_safety": k == "caution"}
                  for k in ("caution", "wanted", "stolen", "missing")]


def test_a_crowded_answer_is_sped_up_to_fit_and_keeps_alert_and_identity(voice: AnswerVoice) -> None:
    fitted = voice.build("hit", CROWDED_ALERTS, CROWDED, encoding="mulaw", rate=8000)
    full = voice.build("hit", CROWDED_ALERTS, CROWDED, encoding="mulaw", rate=8000, full=True)
    assert fitted.duration_ms <= 6000 < full.duration_ms
    assert fitted.phrases[0] == "Use caution, Wanted, Stolen, Missing person."
    assert fitted.phrases[1].startswith("Quebec Quebec seven zero Zulu")
    # Details and status words went; the repeat says everything at the normal pace.
    assert len(fitted.phrases) == 2 and len(full.phrases) == 5
    slow = AnswerVoice(voice.synthesizer, AnswerOptions(max_speedup=1.0), spelled=voice.spelled)
    unhurried = slow.build("hit", CROWDED_ALERTS, CROWDED, encoding="mulaw", rate=8000)
    # Without the speed-up the same two phrases overflow: the speed-up is what made it fit.
    assert unhurried.phrases == fitted.phrases and unhurried.duration_ms > 6000


def test_decoded_by_the_session_decoder(voice: AnswerVoice) -> None:
    answer = voice.build("clarify", [], "Say again plate.", encoding="alaw", rate=8000, has_candidates=False)
    assert answer.tone is AnswerClass.SAY_AGAIN
    decoder = Decoder("alaw", 8000)
    internal = np.concatenate([decoder.decode(answer.audio), decoder.flush()])
    assert abs(len(internal) / 16000 * 1000 - answer.duration_ms) < 25


# --- the channel: order, barge-in, errors -------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.log: list[tuple[str, int, object]] = []
        self.frames = 0

    async def begin(self, utterance: int, answer: Answer) -> None:
        self.log.append(("begin", utterance, len(answer.audio)))

    async def frame(self, data: bytes) -> None:
        self.frames += 1
        self.log.append(("frame", 0, len(data)))

    async def end(self, utterance: int, _answer: Answer, sent: int, interrupted: bool) -> None:
        self.log.append(("end", utterance, (sent, interrupted)))

    async def fail(self, utterance: int, err: PatrolError) -> None:
        self.log.append(("error", utterance, err.code))


def _channel(voice: AnswerVoice, rec: _Recorder) -> AnswerChannel:
    return AnswerChannel(voice, encoding="mulaw", rate=8000, begin=rec.begin, frame=rec.frame, end=rec.end,
                         fail=rec.fail)


async def test_answers_play_in_order_paced_and_barge_in_stops_the_rest(voice: AnswerVoice) -> None:
    rec = _Recorder()
    channel = _channel(voice, rec)
    channel.submit(1, "clear", [], "Go ahead.", has_candidates=False)
    channel.submit(2, "hit", STOLEN, PLATE_READBACK)
    await channel.drain()
    begins = [e for e in rec.log if e[0] in ("begin", "end")]
    assert [(k, u) for k, u, _ in begins] == [("begin", 1), ("end", 1), ("begin", 2), ("end", 2)]
    assert begins[1][2] == (begins[0][2], False)  # every byte sent, not interrupted
    rec.log.clear()
    channel = _channel(voice, rec)
    channel.submit(3, "hit", STOLEN, PLATE_READBACK)
    while not any(k == "frame" for k, _, _ in rec.log):
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)  # past the lead: now paced at real time
    await channel.barge_in()
    frames = rec.frames
    await asyncio.sleep(0.2)
    assert rec.frames == frames  # nothing more after barge-in
    total = rec.log[0][2]
    sent, interrupted = rec.log[-1][2]  # type: ignore[misc]
    assert rec.log[-1][0] == "end" and interrupted and 0 < sent < total  # type: ignore[operator]


async def test_a_failing_engine_reports_an_error_and_the_channel_goes_on() -> None:
    broken = AnswerVoice(EspeakSynthesizer(EspeakOptions(executable="/nonexistent/espeak-ng")))
    rec = _Recorder()
    channel = _channel(broken, rec)
    channel.submit(1, "hit", STOLEN, PLATE_READBACK)
    await channel.drain()
    assert rec.log == [("error", 1, "tts_unavailable")]


async def test_a_full_pool_answers_tts_busy() -> None:
    class Slow:
        name = "slow"

        def synthesize(self, text: str) -> Speech:
            import time

            time.sleep(0.3)
            return Speech(np.zeros(800, dtype=np.float32), 8000)

    voice = AnswerVoice(Slow(), AnswerOptions(workers=1, max_queue=0))
    first = asyncio.ensure_future(voice.render("clear", [], "Go ahead.", encoding="mulaw", rate=8000))
    await asyncio.sleep(0)
    with pytest.raises(SynthesisError) as busy:
        await voice.render("clear", [], "Go ahead.", encoding="mulaw", rate=8000)
    assert busy.value.code == "tts_busy"
    assert (await first).tone is AnswerClass.CLEAR
    await asyncio.sleep(0.05)
    assert voice.depth == 0  # the slot came back when the work ended
