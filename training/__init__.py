"""Training the project's own recogniser: corpus recipe, decoder fine-tuning, export.

Nothing here is imported by the service at run time; the service loads what training
exported through :mod:`models.catalog`. Run it as ``patrol train ...`` or
``python -m training ...``.
"""
