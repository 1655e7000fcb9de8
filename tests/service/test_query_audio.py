"""POST /v1/query?audio=wav: the spoken answer of a typed query as a WAV file (real espeak-ng)."""

from __future__ import annotations

import io
import wave

import numpy as np
from fastapi.testclient import TestClient

from tests.service.conftest import bearer


def test_query_answers_with_a_wav_of_the_spoken_answer(app_client: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = app_client
    auth = bearer(tokens["patrol"])
    r = client.post("/v1/query?audio=wav", json={"text": "run plate STOLEN1"}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    assert (r.headers["x-result-status"], r.headers["x-answer-tone"]) == ("hit", "stolen")
    with wave.open(io.BytesIO(r.content)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert 1.0 < len(samples) / 16000 <= 6.0
    assert 0 < int(np.abs(samples).max()) < 32000
    plain = client.post("/v1/query", json={"text": "run plate STOLEN1"}, headers=auth)
    assert plain.json()["type"] == "result"
    bad = client.post("/v1/query?audio=mp3", json={"text": "run plate STOLEN1"}, headers=auth)
    assert bad.status_code == 422
