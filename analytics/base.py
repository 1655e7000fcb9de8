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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

from analytics.media import DEFAULT_LIMITS, MediaLimits

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


@dataclass(frozen=True)
class SkillContext:
    """What the service hands a skill once at startup, through the skill's optional ``bind``.

    A skill that needs state (a database table, trained artefacts, the registry's check
    chain) defines ``bind(self, context: SkillContext) -> None``; text-only skills need not.
    Lower layers never read the service's settings: ``options`` carries this skill's own
    section (``skills.options.<name>`` in the settings), to be read into the skill's own
    frozen options dataclass.
    """

    engine: Any = None
    """SQLAlchemy engine of the service's database (``None`` in bare unit tests)."""
    data_dir: Path = Path("var")
    """Where the skill may keep artefacts (models it trained, its own files)."""
    media: MediaLimits = DEFAULT_LIMITS
    """Per-item media limits, as checked by the service before the skill runs."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """This skill's options from the settings."""
    check_plate: Callable[[str], Any] | None = None
    """Runs the registry check chain on a canonical plate (blocking), when the registry is served."""


def bind_all(skills: Mapping[str, Skill], make_context: Callable[[str], SkillContext]) -> None:
    """Call ``bind`` on every skill that has one (blocking: skills may load models here)."""
    for name, skill in skills.items():
        binder = getattr(skill, "bind", None)
        if callable(binder):
            binder(make_context(name))


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
        # A module offers one ``SKILL`` or several related ones as ``SKILLS``.
        offered = getattr(module, "SKILLS", None) or (
            (module.SKILL,) if getattr(module, "SKILL", None) is not None else ())
        for skill in offered:
            if not isinstance(skill, Skill):
                raise TypeError(f"{module.__name__} offers an object that is not a Skill")
            bind = getattr(skill, "with_data_dir", None)
            if data_dir is not None and bind is not None:
                skill = bind(data_dir)
            if skill.name in found:
                raise ValueError(f"duplicate skill name {skill.name!r}")
            found[skill.name] = skill
            logger.debug("skill %s loaded from %s", skill.name, module.__name__)
    return found
