"""Tests of the lookup package: spoken forms, parser, registry and check chain."""
