"""Radio ten-codes: 10-28 (registration check) and 10-29 (wants check), as said or written.

One pattern for every layer that looks for them: the lookup parser rewrites them to their
canonical form before it spots keywords, the person-check rescoring keeps their digits out
of a date, and the recogniser's spelling pass forces the words up to a 10-28 as its prefix.
"""

from __future__ import annotations

import re

PLATE_CHECK = "10-28"
WANTS_CHECK = "10-29"
# "10-28", "1028", "10 28", "ten twenty-eight", "ten, twenty nine", "10 20 8".
TEN_CODE = re.compile(r"(?i)\b(?:ten|10)[- ,]*(?:(?:twenty|20)[- ]?(eight|nine|8|9)|2([89]))\b")


def ten_code(match: re.Match[str]) -> str:
    """The canonical code (:data:`PLATE_CHECK` or :data:`WANTS_CHECK`) of a :data:`TEN_CODE` match."""
    last = (match.group(1) or match.group(2)).lower()
    return PLATE_CHECK if last in ("eight", "8") else WANTS_CHECK


def normalise_ten_codes(text: str) -> str:
    """Rewrite every ten-code in ``text`` to its canonical form ("ten twenty-eight" -> "10-28")."""
    return TEN_CODE.sub(ten_code, text)
