"""The vehicle makes and models the registry holds and the vehicle classifier knows.

One table for the seeder and the parser (``lookup.vocab``) and for the classifier's training
images (``analytics.vehicle.render``), which may not import each other.
"""

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
