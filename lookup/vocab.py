"""Small fixed vocabularies shared by the seeder and the parser: regions, makes, models, colours."""

from __future__ import annotations

MAKES_MODELS: dict[str, tuple[str, ...]] = {
    "Toyota": ("Corolla", "Camry", "RAV4", "Prius", "Tacoma", "Highlander"),
    "Honda": ("Civic", "Accord", "CR-V", "Pilot", "Fit"),
    "Ford": ("F-150", "Focus", "Fiesta", "Explorer", "Transit", "Mustang"),
    "Chevrolet": ("Malibu", "Silverado", "Impala", "Equinox", "Tahoe"),
    "Nissan": ("Altima", "Rogue", "Sentra", "Leaf"),
    "Volkswagen": ("Golf", "Jetta", "Passat", "Polo"),
    "BMW": ("3 Series", "5 Series", "X5"),
    "Vauxhall": ("Astra", "Corsa", "Insignia"),
    "Hyundai": ("Elantra", "Tucson", "Sonata"),
    "Kia": ("Sorento", "Sportage", "Rio"),
    "Subaru": ("Outback", "Forester", "Impreza"),
    "Mazda": ("CX-5", "Mazda3", "MX-5"),
    "Tesla": ("Model 3", "Model Y"),
    "Jeep": ("Cherokee", "Wrangler"),
    "Dodge": ("Charger", "Ram"),
}
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
