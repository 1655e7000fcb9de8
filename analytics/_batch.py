"""Shared input checks for batch skills: size limits, strict UTF-8, strict CSV.

Every refusal is a :class:`service.errors.SkillError` with a stable code and a message
that names the problem but never echoes the data (it may hold personal data):

* ``empty_batch`` (422): nothing to score;
* ``payload_too_large`` (413): more bytes or items than one call may carry;
* ``bad_encoding`` (422): bytes or text that are not valid UTF-8;
* ``bad_csv`` (422): a CSV that cannot be read as a table with the needed columns.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence

from analytics.errors import SkillError

logger = logging.getLogger(__name__)

MAX_BATCH_BYTES = 20 << 20  # same as the service's largest accepted upload


def too_large(what: str, limit: str) -> SkillError:
    """The 413 error for a batch over its limit."""
    return SkillError(f"{what} is too large (limit {limit})", code="payload_too_large", http_status=413)


def empty_batch(what: str) -> SkillError:
    """The 422 error for a batch with nothing in it."""
    return SkillError(f"empty batch: no {what} to score", code="empty_batch")


def decode_upload(data: bytes, *, max_bytes: int = MAX_BATCH_BYTES) -> str:
    """Decode an uploaded file as strict UTF-8 (a BOM is dropped), enforcing the size limit."""
    if len(data) > max_bytes:
        raise too_large("upload", f"{max_bytes >> 20} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SkillError(
            f"upload is not valid UTF-8 text (bad byte at offset {err.start})", code="bad_encoding"
        ) from err


def check_text(text: str, *, what: str, max_bytes: int = MAX_BATCH_BYTES) -> None:
    """Refuse text that is too large or cannot be encoded as UTF-8 (lone surrogates)."""
    if len(text) > max_bytes:
        raise too_large(what, f"{max_bytes >> 20} MiB")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise SkillError(f"{what} is not valid UTF-8 text (at character {err.start})",
                         code="bad_encoding") from err


def read_csv(text: str, *, required: Sequence[str], what: str = "CSV") -> list[dict[str, str]]:
    """Parse CSV with a header row into dicts; refuse ragged rows and missing columns."""
    check_text(text, what=what)
    if "\x00" in text:
        raise SkillError(f"malformed {what}: it contains NUL bytes", code="bad_csv")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows: Iterable[list[str]] = list(reader)
    except csv.Error as err:
        raise SkillError(f"malformed {what} at line {reader.line_num}: {err}", code="bad_csv") from err
    rows = [r for r in rows if r and any(cell.strip() for cell in r)]
    if not rows:
        raise empty_batch("rows")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise SkillError(f"malformed {what}: missing column(s) {', '.join(missing)}", code="bad_csv")
    out: list[dict[str, str]] = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise SkillError(
                f"malformed {what}: row {n} has {len(row)} fields, the header has {len(header)}",
                code="bad_csv",
            )
        out.append(dict(zip(header, row, strict=True)))
    if not out:
        raise empty_batch("rows")
    return out


def utf8_text(value: str | None) -> str | None:
    """Pydantic field validator: refuse strings that cannot be encoded as UTF-8 (lone surrogates)."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            raise ValueError(f"text is not valid UTF-8 (at character {err.start})") from err
    return value
