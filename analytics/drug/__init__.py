"""Drug-sale post screening: EN+JA lexicon, normalisation with offsets, scoring (``drug_post_screen``)."""
