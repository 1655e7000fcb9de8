"""Which skill a text asks for: the skill's own phrases first, then similarity of meaning.

A rule matches the skill's name in words ("dash risk"), its declared trigger phrases and the
lead-in of each example before a colon ("screen this post:"). Failing that, the text's
MiniLM embedding is compared with every skill's description and examples (embedded once, at
startup) and the closest skill is taken above ``router.skill_threshold``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from analytics.base import Skill
from models.embeddings import Embedder


class SkillMatcher:
    """Finds the skill a text asks for: explicit phrases first, then semantic similarity."""

    def __init__(self, skills: Mapping[str, Skill], *, embedder: Embedder | None, threshold: float) -> None:
        self.skills = dict(skills)
        self.embedder = embedder
        self.threshold = threshold
        self._rules = [(name, _rule_for(skill)) for name, skill in self.skills.items()]
        self._names: list[str] = []
        self._matrix: np.ndarray | None = None

    def prepare(self) -> None:
        """Embed every skill's examples once (blocking; done at startup)."""
        if self.embedder is None:
            return
        names: list[str] = []
        texts: list[str] = []
        for name, skill in self.skills.items():
            for example in (skill.description, *skill.examples):
                names.append(name)
                texts.append(example)
        self._names = names
        self._matrix = self.embedder.embed(texts) if texts else None

    def by_rule(self, text: str) -> str | None:
        """The skill whose name or trigger phrase the text contains."""
        for name, pattern in self._rules:
            if pattern.search(text):
                return name
        return None

    def by_meaning(self, text: str) -> tuple[str | None, float]:
        """The most similar skill and its cosine score, if above the threshold (blocking)."""
        if self.embedder is None or self._matrix is None or not len(self._names):
            return None, 0.0
        vector = self.embedder.embed([text])[0]
        scores = self._matrix @ vector
        best = int(np.argmax(scores))
        score = float(scores[best])
        return (self._names[best] if score >= self.threshold else None), score


def _rule_for(skill: Skill) -> re.Pattern[str]:
    # The skill's name in words ("dash risk"), its own trigger phrases if it declares any,
    # and every example's lead-in before a colon ("screen this post:").
    phrases = [skill.name.replace("_", " "), skill.name]
    phrases.extend(getattr(skill, "triggers", ()))
    phrases.extend(e.split(":", 1)[0] for e in skill.examples if ":" in e)
    alternation = "|".join(re.escape(p.strip()).replace(r"\ ", r"[\s_-]+") for p in phrases if p.strip())
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])", re.IGNORECASE)
