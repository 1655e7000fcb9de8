"""Fixtures of the voice tests (helpers live in tests/voice/helpers.py)."""

from tests.voice.helpers import clips, live_server, tiny_transcriber, transcriber

__all__ = ["clips", "live_server", "tiny_transcriber", "transcriber"]
