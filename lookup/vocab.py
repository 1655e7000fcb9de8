"""Small fixed vocabularies shared by the seeder and the parser: regions, makes, models, colours.

The makes and models live in :mod:`common.vehicles` (the vehicle classifier reads them too).
"""

from __future__ import annotations

from common.vehicles import MAKES_MODELS

__all__ = ["COLOURS", "MAKES_MODELS", "REGIONS"]


COLOURS = (
    "white",
    "black",
    "silver",
    "grey",
    "blue",
    "red",
    "green",
    "maroon",
    "gold",
    "brown",
    "beige",
    "yellow",
    "orange",
)
# Spoken region names -> registry region codes.
REGIONS: dict[str, str] = {
    "california": "CA",
    "new york": "NY",
    "texas": "TX",
    "uk": "GB",
    "british": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "japan": "JP",
}
