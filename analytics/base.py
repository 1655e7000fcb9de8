"""The Skill protocol and the skill registry.

A skill is one analytics module hosted behind the intent router. It declares its
name, a description, example utterances (used by the semantic router), pydantic
input and output models, the roles that may call it and a timeout, and it runs
synchronously inside the service's bounded worker pool. Skills are decision
support: they return scores, grades and evidence, never actions.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

logger = logging.getLogger(__name__)


@runtime_checkable
class Skill(Protocol):
    """What every analytics skill provides."""

    name: ClassVar[str]
    description: ClassVar[str]
    examples: ClassVar[tuple[str, ...]]
    input_model: ClassVar[type[BaseModel]]
    output_model: ClassVar[type[BaseModel]]
    roles: ClassVar[frozenset[str]]
    timeout_s: ClassVar[float]

    def run(self, payload: BaseModel) -> BaseModel:
        """Run the skill on validated input and return its output model."""
        ...

    def from_text(self, text: str) -> BaseModel | None:
        """Build an input from a spoken or typed request, or ``None`` if the text lacks one."""
        ...


def discover(package: str = "analytics", *, data_dir: Path | None = None) -> dict[str, Skill]:
    """Import every module of ``package`` and collect the objects named ``SKILL``.

    Modules are imported here, when the app starts, not at import time of this module.
    A skill that keeps artefacts on disk offers ``with_data_dir(path)``; with ``data_dir``
    given, the skill returned is the one bound to it.
    """
    pkg = importlib.import_module(package)
    found: dict[str, Skill] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        skill = getattr(module, "SKILL", None)
        if skill is None:
            continue
        if not isinstance(skill, Skill):
            raise TypeError(f"{module.__name__}.SKILL does not implement the Skill protocol")
        bind = getattr(skill, "with_data_dir", None)
        if data_dir is not None and bind is not None:
            skill = bind(data_dir)
        if skill.name in found:
            raise ValueError(f"duplicate skill name {skill.name!r}")
        found[skill.name] = skill
        logger.debug("skill %s loaded from %s", skill.name, module.__name__)
    return found
