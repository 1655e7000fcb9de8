"""Fixtures of the analytics skill tests: one trained AML model per session in a temp data dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.aml.model import AmlModel, load_or_train


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private ``PATROL_DATA_DIR`` for the whole session (the AML artefact lands here)."""
    path = tmp_path_factory.mktemp("patrol-data")
    old = os.environ.get("PATROL_DATA_DIR")
    os.environ["PATROL_DATA_DIR"] = str(path)
    try:
        yield path
    finally:
        if old is None:
            os.environ.pop("PATROL_DATA_DIR", None)
        else:
            os.environ["PATROL_DATA_DIR"] = old


@pytest.fixture(scope="session")
def aml_model(data_dir: Path) -> AmlModel:
    """The AML model, trained on first use and saved under the session's data dir."""
    return load_or_train(data_dir / "models" / "aml")
