"""Read and write CTranslate2's ``model.bin`` as named numpy arrays.

The layout is the one ``ctranslate2.specs.model_spec.ModelSpec._serialize`` writes: a
binary version, the spec name, its revision, then each variable as name, rank, dims,
dtype id and raw bytes, then the aliases. Reading and writing back an unchanged model
gives the same bytes, so a fine-tuned model is the packaged one with some tensors swapped.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

# Order of CTranslate2's DataType enum (include/ctranslate2/types.h). bfloat16 has no numpy
# dtype: such tensors are kept as raw uint16.
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_NUMPY = {"float32": np.float32, "int8": np.int8, "int16": np.int16, "int32": np.int32,
          "float16": np.float16, "bfloat16": np.uint16}


@dataclass(slots=True)
class Ct2Model:
    """The contents of one ``model.bin``."""

    version: int
    name: str
    revision: int
    variables: dict[str, np.ndarray]
    dtypes: dict[str, str]
    aliases: list[tuple[str, str]] = field(default_factory=list)


def _read_string(fh: BinaryIO) -> str:
    (length,) = struct.unpack("H", fh.read(2))
    return fh.read(length)[:-1].decode("utf-8")


def _write_string(fh: BinaryIO, text: str) -> None:
    raw = text.encode("utf-8")
    fh.write(struct.pack("H", len(raw) + 1))
    fh.write(raw + b"\0")


def read_model(path: Path) -> Ct2Model:
    """Parse ``path`` (a CTranslate2 ``model.bin``)."""
    with path.open("rb") as fh:
        (version,) = struct.unpack("I", fh.read(4))
        if version < 5:
            raise ValueError(f"{path}: CTranslate2 binary version {version} is not supported")
        name = _read_string(fh)
        (revision,) = struct.unpack("I", fh.read(4))
        (count,) = struct.unpack("I", fh.read(4))
        variables: dict[str, np.ndarray] = {}
        dtypes: dict[str, str] = {}
        for _ in range(count):
            var = _read_string(fh)
            (rank,) = struct.unpack("B", fh.read(1))
            dims = struct.unpack(f"{rank}I", fh.read(4 * rank)) if rank else ()
            (type_id,) = struct.unpack("B", fh.read(1))
            (size,) = struct.unpack("I", fh.read(4))
            dtype = _DTYPES[type_id]
            data = np.frombuffer(fh.read(size), dtype=_NUMPY[dtype])
            variables[var] = data.reshape(dims) if rank else data.reshape(())
            dtypes[var] = dtype
        (n_alias,) = struct.unpack("I", fh.read(4))
        aliases = [(_read_string(fh), _read_string(fh)) for _ in range(n_alias)]
    return Ct2Model(version, name, revision, variables, dtypes, aliases)


def write_model(model: Ct2Model, path: Path) -> None:
    """Write ``model`` to ``path`` in the layout :func:`read_model` reads."""
    tmp = path.with_suffix(".partial")
    with tmp.open("wb") as fh:
        fh.write(struct.pack("I", model.version))
        _write_string(fh, model.name)
        fh.write(struct.pack("I", model.revision))
        fh.write(struct.pack("I", len(model.variables)))
        for var, value in model.variables.items():
            dtype = model.dtypes[var]
            data = np.asarray(value, dtype=_NUMPY[dtype])
            _write_string(fh, var)
            fh.write(struct.pack("B", data.ndim))
            for dim in data.shape:
                fh.write(struct.pack("I", dim))
            fh.write(struct.pack("B", _DTYPES.index(dtype)))
            raw = data.tobytes()
            fh.write(struct.pack("I", len(raw)))
            fh.write(raw)
        fh.write(struct.pack("I", len(model.aliases)))
        for alias, target in model.aliases:
            _write_string(fh, alias)
            _write_string(fh, target)
    tmp.replace(path)
