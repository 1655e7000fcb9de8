"""A trained model on disk: ``model.pkl`` and ``meta.json`` holding the pickle's SHA-256, so a
changed or foreign file is refused before it is unpickled. Shared by the per-report model
(:mod:`analytics.aml.model`) and the transaction-graph model (:mod:`analytics.aml.graph_model`)."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def save_artefact(model: Any, meta: dict[str, Any], directory: Path) -> Path:
    """Write ``model.pkl`` (atomically) and ``meta.json`` with its SHA-256; return the pickle."""
    directory.mkdir(parents=True, exist_ok=True)
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    path = directory / "model.pkl"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(blob)
    tmp.replace(path)
    (directory / "meta.json").write_text(json.dumps(dict(meta, sha256=hashlib.sha256(blob).hexdigest()),
                                                    indent=2))
    return path


def load_artefact(directory: Path, kind: type[T], version: int | str, what: str) -> T:
    """The ``kind`` saved in ``directory``; ValueError when the checksum, the version or the
    type does not match (``what`` names it in the message)."""
    blob = (directory / "model.pkl").read_bytes()
    meta = json.loads((directory / "meta.json").read_text())
    if hashlib.sha256(blob).hexdigest() != meta.get("sha256") or meta.get("version") != version:
        raise ValueError(f"{what} artefact in {directory} fails its checksum or version check")
    model = pickle.loads(blob)  # noqa: S301 - our own artefact, checksum verified above
    if not isinstance(model, kind):
        raise ValueError(f"{what} artefact holds the wrong type")
    return model
