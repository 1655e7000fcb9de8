"""Obfuscated variants of a post, the way dealers write them, for training and for tests.

Each kind is one trick; :func:`obfuscate` applies it to a target word (the drug term or
contact cue a template planted) or, without one, to every word long enough to carry it.
All randomness comes from the ``random.Random`` passed in, so a seed reproduces a set.

Kinds (:data:`KINDS`): ``fullwidth`` (ＷＥＥＤ), ``halfwidth`` (ｶﾞﾝｼﾞｬ, Japanese only),
``spaced`` (w e e d), ``dotted`` (w.e.e.d, 大・麻), ``stretched`` (weeeed), ``leet`` (w33d),
``homoglyph`` (Cyrillic е for Latin e), ``kana_swap`` (katakana <-> hiragana),
``zero_width`` (invisible characters between letters), ``emoji`` (the drug word replaced
by or followed with its emoji code, variation selectors included) and ``mixed`` (two of
the above on one word).
"""

from __future__ import annotations

import logging
import random
import re
import unicodedata

logger = logging.getLogger(__name__)

KINDS: tuple[str, ...] = (
    "fullwidth", "halfwidth", "spaced", "dotted", "stretched", "leet", "homoglyph", "kana_swap",
    "zero_width", "emoji", "mixed",
)
# Kinds that only make sense for one script.
JA_ONLY = frozenset({"halfwidth", "kana_swap"})
EN_ONLY = frozenset({"leet", "homoglyph", "stretched"})

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_HOMOGLYPH = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "s": "ѕ"}
_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060")
_EMOJI = {
    "cannabis": ("🍃", "🌿", "🍁", "🥦", "🌲", "⛽"), "meth": ("💎", "🧊", "❄️"), "cocaine": ("❄️", "⛄", "⛷️"),
    "pills": ("💊", "🍄", "🍬", "🍭"), "heroin": ("💉", "🐉", "🟤", "🐴"),
}
_WORD = re.compile(r"[A-Za-z]{3,}|[\u3040-\u30ff\u3400-\u9fff]{2,}")


def _is_kana(ch: str) -> bool:
    return 0x3041 <= ord(ch) <= 0x30FA


def _fullwidth(word: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def _halfwidth(word: str) -> str:
    """Katakana (and hiragana, via katakana) to half-width forms, voiced marks split off."""
    out = []
    for c in word:
        if 0x3041 <= ord(c) <= 0x3096:
            c = chr(ord(c) + 0x60)
        base = unicodedata.normalize("NFD", c)
        half = [_HALF.get(b, b) for b in base]
        out.append("".join(half))
    return "".join(out)


_FULL_KATA = ("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホ"
              "マミムメモヤユヨラリルレロワヲンァィゥェォャュョッー")
_HALF_KATA = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ"
_HALF = dict(zip(_FULL_KATA, _HALF_KATA, strict=True)) | {"\u3099": "ﾞ", "\u309a": "ﾟ"}


def _kana_swap(word: str) -> str:
    out = []
    for c in word:
        code = ord(c)
        if 0x30A1 <= code <= 0x30F6:
            out.append(chr(code - 0x60))
        elif 0x3041 <= code <= 0x3096:
            out.append(chr(code + 0x60))
        else:
            out.append(c)
    return "".join(out)


def _separated(word: str, rng: random.Random, seps: tuple[str, ...]) -> str:
    sep = rng.choice(seps)
    return sep.join(word)


def _one(word: str, kind: str, rng: random.Random, category: str | None) -> str:
    ja = any(_is_kana(c) or 0x3400 <= ord(c) <= 0x9FFF for c in word)
    if kind == "fullwidth":
        return _fullwidth(word) if not ja else _kana_swap(word) if rng.random() < 0.5 else word
    if kind == "halfwidth":
        return _halfwidth(word)
    if kind == "spaced":
        return _separated(word, rng, ("　", " ") if ja else (" ", "  "))
    if kind == "dotted":
        return _separated(word, rng, ("・", ".", "･") if ja else (".", "-", "*", ". ", "_"))
    if kind == "stretched":
        vowels = [i for i, c in enumerate(word) if c.lower() in "aeiouy"] or [len(word) - 1]
        i = rng.choice(vowels)
        return word[:i + 1] + word[i] * rng.randint(2, 5) + word[i + 1:]
    if kind == "leet":
        out = "".join(_LEET.get(c.lower(), c) if rng.random() < 0.8 else c for c in word)
        return out if out != word else "".join(_LEET.get(c.lower(), c) for c in word)
    if kind == "homoglyph":
        out = "".join(_HOMOGLYPH.get(c, c) if rng.random() < 0.6 else c for c in word)
        return out if out != word else "".join(_HOMOGLYPH.get(c, c) for c in word)
    if kind == "kana_swap":
        return _kana_swap(word)
    if kind == "zero_width":
        return "".join(c + (rng.choice(_ZERO_WIDTH) if k < len(word) - 1 else "") for k, c in enumerate(word))
    if kind == "emoji":
        emoji = rng.choice(_EMOJI.get(category or "", ("💊", "🍃", "❄️")))
        return emoji if rng.random() < 0.4 else f"{word}{emoji}"
    raise ValueError(f"unknown obfuscation kind {kind!r}")


def applicable(kind: str, lang: str) -> bool:
    """Whether ``kind`` can change a post written in ``lang`` (``en`` or ``ja``)."""
    return not ((kind in JA_ONLY and lang != "ja") or (kind in EN_ONLY and lang != "en"))


def obfuscate(
    text: str,
    kind: str,
    rng: random.Random,
    *,
    target: str | None = None,
    category: str | None = None,
) -> str:
    """``text`` with ``kind`` applied to ``target`` (or to every word of three or more letters)."""
    if kind not in KINDS:
        raise ValueError(f"unknown obfuscation kind {kind!r}")
    lang = "ja" if any(_is_kana(c) or 0x3400 <= ord(c) <= 0x9FFF for c in text) else "en"

    def apply(word: str) -> str:
        if kind == "mixed":
            pool = [k for k in KINDS if k not in ("mixed", "emoji") and applicable(k, lang)]
            first, second = rng.sample(pool, 2)
            return _one(_one(word, first, rng, category), second, rng, category)
        return _one(word, kind, rng, category)

    if target and target in text:
        # A phrase ("link in bio") is obfuscated word by word, as a person would type it.
        parts = [apply(w) if len(w) >= 3 or lang == "ja" else w for w in target.split(" ")]
        return text.replace(target, " ".join(parts), 1)
    return _WORD.sub(lambda m: apply(m.group(0)) if rng.random() < 0.5 else m.group(0), text)
