"""Errors of the analytics layer: a skill that refused its input or failed to run."""

from __future__ import annotations

from common.errors import PatrolError


class SkillError(PatrolError):
    """A skill refused its input or failed to run."""

    code = "skill_failed"
    http_status = 422
