"""Vehicle make/model: the rendered data recipe and the classifier trained on it."""
