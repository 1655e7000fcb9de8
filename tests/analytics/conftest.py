"""Fixtures of the analytics skill tests: trained AML models per session in a temp data dir.

The transaction-graph model is trained on a small world here (seconds, not the half
minute of the full-size default) and saved where the skill looks for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.aml import graph_model
from analytics.aml.model import AmlModel, load_or_train
from analytics.aml.typologies import generate_world

SMALL_WORLD = {"n_accounts": 6_000, "per_day": 2_500.0, "patterns_per_typology": 10}


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
def aml_graph(data_dir: Path) -> graph_model.GraphModel:
    """The transaction-graph model of a small world, saved under the session's data dir."""
    directory = graph_model.default_dir(data_dir)
    if not (directory / "model.pkl").exists():
        world = generate_world(seed=11, **SMALL_WORLD)  # type: ignore[arg-type]
        graph_model.save(graph_model.train(world=world, seed=11), directory)
    return graph_model.load_or_train(directory)


@pytest.fixture(scope="session")
def aml_model(data_dir: Path, aml_graph: graph_model.GraphModel) -> AmlModel:
    """The AML model, trained on first use and saved under the session's data dir."""
    return load_or_train(data_dir / "models" / "aml")
