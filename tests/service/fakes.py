"""Fakes implementing the protocols the service core depends on (transcriber, lookup engine)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from voice.stt import Transcript


class FakeTranscriber:
    """Hears nothing; the service core tests feed text, not audio."""

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        """An empty transcript."""
        return Transcript(text="", confidence=0.0)

    def refine(self, audio: np.ndarray, first: Transcript) -> tuple[str, ...]:
        """No other readings."""
        return ()

    def score(
        self, audio: np.ndarray, prefix: str, continuations: Sequence[str], context: bool = True
    ) -> list[float]:
        """Every continuation equally likely."""
        return [0.0] * len(continuations)

    def encode_for_scoring(self, audio: np.ndarray) -> np.ndarray:
        return audio

    def score_encoded(
        self, encoded: np.ndarray, prefix: str, continuations: Sequence[str], context: bool = True
    ) -> list[float]:
        return self.score(encoded, prefix, continuations, context)


@dataclass
class FakeQuery:
    """Same fields as lookup.types.Query that the router reads."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.9
    reason: str | None = None


@dataclass
class FakeResult:
    """Same fields as lookup.types.CheckResult."""

    status: str
    alerts: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    readback: str = ""
    record_ids: list[str] = field(default_factory=list)


class FakeLookup:
    """A tiny rule parser and a registry of three plates; records every check it runs."""

    def __init__(self) -> None:
        self.checks: list[FakeQuery] = []

    def understand(
        self, text: str, *, alternatives: tuple[str, ...] = (), asr_confidence: float = 1.0
    ) -> FakeQuery:
        """Parse the handful of phrasings the tests use."""
        t = text.lower().strip()
        if m := re.search(r"\bplate\s+([a-z0-9 ]+)", t):
            conf = 0.1 if "mumble" in t else 0.9 * asr_confidence
            return FakeQuery("plate_lookup", {"plate": m.group(1).replace(" ", "").upper()}, conf)
        if m := re.search(r"\blicen[cs]e\s+([a-z0-9]+)", t):
            return FakeQuery("licence_lookup", {"licence": m.group(1).upper()})
        if m := re.search(r"\bperson\s+(\w+)\s+(\w+)\s+born\s+([\d-]+)", t):
            return FakeQuery(
                "person_lookup",
                {"given": m.group(1).title(), "family": m.group(2).title(), "dob": m.group(3)},
            )
        for word, intent in (("affirmative", "confirm"), ("cancel", "cancel"), ("say again", "repeat")):
            if word in t:
                return FakeQuery(intent, {}, 0.95)
        return FakeQuery("unknown", {}, 0.0, reason="no keyword")

    def check(self, query: FakeQuery) -> FakeResult:
        """Answer from the fake registry."""
        self.checks.append(query)
        key = query.slots.get("plate") or query.slots.get("licence") or query.slots.get("family", "")
        if key == "BOOM":
            raise RuntimeError("registry exploded")
        if key == "STOLEN1":
            return FakeResult(
                "hit",
                alerts=[{"kind": "stolen", "officer_safety": False}],
                candidates=[{"score": 0.99, "plate": key, "make": "Toyota"}],
                readback="Plate STOLEN1: reported stolen.",
                record_ids=["vehicle:7"],
            )
        if key.startswith("NONE"):
            return FakeResult("no_match", readback="No match.")
        return FakeResult(
            "clear",
            candidates=[{"score": 0.97, "plate": key}],
            readback=f"{key} clear.",
            record_ids=[f"vehicle:{len(key)}"],
        )


class KeywordEmbedder:
    """A deterministic bag-of-words embedder (hash buckets), for routing tests without MiniLM."""

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised bucket counts."""
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[i, zlib.crc32(word.encode()) % 64] += 1.0  # hash() is salted per process
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)
