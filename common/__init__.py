"""The dependency-free base every layer may import: the root of the error tree."""
