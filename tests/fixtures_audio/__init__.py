"""Tests of the spoken-query fixtures (catalogue, audio manifest, LibriVox list)."""
