"""lookup package."""
