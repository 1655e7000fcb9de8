"""Offset-preserving text normalisation for the drug-post screen.

Dealers obfuscate: ``Ｗ３３Ｄ``, ``w e e d``, ``c.o.k.e``, ``weeeeed``, katakana versus
hiragana. Matching runs on a normalised string, but the evidence must point into the
ORIGINAL post, so every step keeps ``offsets``: for each normalised character, the index
of the original character it came from. A match ``[i, j)`` in the normalised text maps
back to ``[offsets[i], offsets[j - 1] + 1)`` in the original.

Steps, in order (each one a pure function over ``(chars, offsets)``):

0. kanji that pass for katakana (工 for エ, 力 for カ, 丰 for キ, 口 for ロ, 夕 for タ, 二 for ニ)
   read as the katakana where they touch a katakana on one side and no kanji on the other
   (``工クスタシー``, ``コ力イン``; not ``入力フォーム`` or ``口コミ``'s neighbours in a kanji word);
1. NFKC per character (full-width and half-width forms, compatibility ligatures), lower case,
   half-width voiced marks composed with their kana (``ﾃﾚｸﾞﾗﾑ`` -> ``テレグラム``), and
   Cyrillic / Greek look-alikes mapped to the Latin letter they imitate (``wеed`` with a
   Cyrillic ``е``); zero-width characters and variation selectors dropped, emoji kept;
2. katakana folded to hiragana (so アイス and あいす match one lexicon entry), and the kana
   that sound alike folded too (ぢ -> じ, づ -> ず: ガンヂャ is ガンジャ);
3. leetspeak undone inside tokens that also hold letters (``w33d`` -> ``weed``, but ``420``,
   ``$40`` and ``4sale`` stay as they are); ``=`` and ``/`` end a token, so price lists
   (``1g=7k``, ``$10/g``) are not read as leetspeak;
4. runs of three or more identical characters cut to two (``weeeeed`` -> ``weed``);
5. single characters separated by spaces, dots or dashes joined (``w e e d``, ``c. o. k. e``
   -> ``weed``, ``coke``); between kana and kanji two characters are enough (``大.麻``);
   leetspeak undone once more in what was joined (``w 3 3 d`` -> ``w33d`` -> ``weed``).

Look-alike kanji (step 1): rare variant, traditional or simplified forms of the kanji that drug
and trade words are written in read as the common form (埜 for 野, 抻 for 押, 痲 for 麻, 藥 for
薬, 賣 for 売); none of them is a common word of its own in Japanese. Small vowel kana
(ぁぃぅぇぉ) that follow no kana they could form a sound with (ふぁ, てぃ, うぇ) read as the
full-size vowel (``埜菜ぁります`` -> 野菜あります); ファ, ティ and ウェ stay as they are.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_SEPARATORS = frozenset(" .-_*·・/|")
# Variation selectors and zero-width characters carry no meaning for matching.
_INVISIBLE = frozenset("\ufe0f\ufe0e\u200b\u200c\u200d\u2060\u00ad")
# Quantities and prices ("3.5g", "$40", "100mg", "2oz", "5k") are not leetspeak, nor is an
# amount run into its price ("1g8000", "3.5g60").
_QUANTITY = re.compile(r"[$¥£€]?\d+(?:[.,]\d+)?[a-z]{0,3}(?:\d+(?:[.,]\d+)?k?)?[.,!?]*")
# Digit-words that are shorthand, not leetspeak ("4sale", "2nite").
_NOT_LEET = re.compile(r"(?:(?:4|2)(?:sale|u|you|ever|day|nite|night|get|real)|m30s?|2c-?[bi]|8balls?|"
                       r"\d+(?:mg|ug|g|s)|[a-z]+\d+s?)[.,!?]*")
# Cyrillic and Greek letters that pass for Latin ones (lower case; upper case is lowered first).
_HOMOGLYPHS = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ɑ": "a", "ɡ": "g", "ı": "i", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ѡ": "w",
    # Latin small capitals (NFKC leaves them alone): ᴡᴇᴇᴅ.
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j",
    "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u",
    "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
})
_VOICED = frozenset("\u3099\u309a")
# Variant kanji that pass for the common form (one character for one; none a common word itself).
_KANJI_VARIANTS = str.maketrans({
    "埜": "野", "壄": "野", "抻": "押", "柙": "押", "痲": "麻", "蔴": "麻", "痳": "麻", "嘛": "麻",
    "藥": "薬", "药": "薬", "葯": "薬", "覺": "覚", "觉": "覚", "酲": "醒", "劑": "剤", "剂": "剤",
    "賣": "売", "壳": "売", "买": "買", "艸": "草", "冰": "氷", "锭": "錠", "發": "発", "贩": "販",
    "邮": "郵", "连": "連", "络": "絡", "對": "対", "枼": "葉", "扌": "手"})
# Small vowel kana and the kana before them that make one sound with them (ふぁ, てぃ, しぇ, くぉ).
_SMALL_VOWELS = {"ぁ": "あ", "ぃ": "い", "ぅ": "う", "ぇ": "え", "ぉ": "お"}
_DIGRAPH_BASES = frozenset("うゔふぶぷてでとどしじちぢつずすきぎくぐいにひびみりヴ")
# Kana that sound the same (yotsugana): one spelling each.
_SAME_SOUND = {"ぢ": "じ", "づ": "ず"}
# Characters that end a token for leetspeak undoing, as spaces do: "1g=7k", "$10/g", "1→8".
_TOKEN_BREAK = frozenset("=/→~〜")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised text with the original index of each of its characters."""

    text: str
    offsets: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span ``[start, end)`` to a span of the original text."""
        if end <= start:
            raise ValueError("empty span")
        a, b = self.offsets[start], self.offsets[end - 1] + 1
        # Characters squeezed out of a stretched run ("weeeed") belong to the span, and so
        # do marks folded into the last character (a half-width voiced mark, a selector).
        orig = self.original
        while b < len(orig) and (
            (orig[b] == orig[b - 1] and orig[b].isalpha()) or orig[b] in _INVISIBLE or orig[b] in "ﾞﾟ"
        ):
            b += 1
        return a, b


def fold_kana(text: str) -> str:
    """Katakana folded to hiragana and same-sounding kana to one spelling, as post text is."""
    return "".join(_fold_kana(c) for c in text)


def _fold_kana(ch: str) -> str:
    code = ord(ch)
    if 0x30A1 <= code <= 0x30F6:
        ch = chr(code - 0x60)
    return _SAME_SOUND.get(ch, ch)


_KANA_LOOKALIKES = {"工": "エ", "力": "カ", "丰": "キ", "口": "ロ", "夕": "タ", "二": "ニ", "卜": "ト",
                    "八": "ハ", "才": "オ", "一": "ー", "亻": "イ"}


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー"


def _kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _unmask_kana(text: str) -> str:
    """Look-alike kanji beside katakana read as the katakana (one character for one)."""
    if not any(c in _KANA_LOOKALIKES for c in text):
        return text
    out = list(text)
    for i, ch in enumerate(text):
        if ch not in _KANA_LOOKALIKES:
            continue
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if (_is_katakana(prev) and not _kanji(nxt)) or (_is_katakana(nxt) and not _kanji(prev)):
            out[i] = _KANA_LOOKALIKES[ch]
    return "".join(out)


def _nfkc(text: str) -> tuple[list[str], list[int]]:
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        if ch.isascii():
            out = ch.lower()
        else:
            out = unicodedata.normalize("NFKC", ch).lower().translate(_HOMOGLYPHS).translate(_KANJI_VARIANTS)
        for c in out:
            if c in _VOICED and chars:
                # A half-width voiced mark: compose it with the kana before it (ｸﾞ -> ぐ).
                composed = unicodedata.normalize("NFC", chars[-1] + c)
                if len(composed) == 1:
                    chars[-1] = _fold_kana(composed)
                continue
            c = _fold_kana(c)
            if c in _SMALL_VOWELS and not (chars and chars[-1] in _DIGRAPH_BASES):
                c = _SMALL_VOWELS[c]  # "菜ぁります": a small vowel after no kana it could join
            chars.append(c)
            offsets.append(i)
    return chars, offsets


def _unleet(chars: list[str], *, ascii_only: bool = False) -> list[str]:
    out = list(chars)
    n = len(chars)
    i = 0
    while i < n:
        if chars[i].isspace() or chars[i] in _TOKEN_BREAK:
            i += 1
            continue
        j = i
        while j < n and not (chars[j].isspace() or chars[j] in _TOKEN_BREAK):
            j += 1
        token = chars[i:j]
        # Kana or kanji in the token: digits there are counts and prices ("1g1.2万", "1まん").
        if (ascii_only and not all(c.isascii() for c in token)) or any(_is_cjk(c) for c in token):
            i = j
            continue
        letters = sum(c.isalpha() for c in token)
        leet = sum(c in _LEET for c in token)
        # Only tokens that mix letters and leet digits are obfuscated words; a leading
        # '$' or '@' is a price or a handle, not leetspeak.
        # A leet digit before a letter ("w33d", "1ce") or two real letters ("cok3") mark an
        # obfuscated word; "m30" or "4k" do not.
        leet_before_letter = any(
            c in _LEET and any(d.isalpha() for d in token[k + 1:]) for k, c in enumerate(token)
        )
        if (
            letters
            and leet
            and (leet_before_letter or letters >= 2)
            and letters + leet >= 3
            and not _QUANTITY.fullmatch("".join(token))
            and not _NOT_LEET.fullmatch("".join(token))
        ):
            for k in range(i, j):
                c = chars[k]
                if c in _LEET and not (k == i and c in "$@") and not (k == j - 1 and c == "!"):
                    out[k] = _LEET[c]
        i = j
    return out


def _squeeze(chars: list[str], offsets: list[int]) -> tuple[list[str], list[int]]:
    out_c: list[str] = []
    out_o: list[int] = []
    for c, o in zip(chars, offsets, strict=True):
        if len(out_c) >= 2 and out_c[-1] == c and out_c[-2] == c and not c.isdigit():
            continue
        out_c.append(c)
        out_o.append(o)
    return out_c, out_o


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF


def _gap(chars: list[str], k: int) -> int:
    """Length of the separator run starting at ``k`` (at most 5 characters, 0 if none)."""
    g = 0
    while g < 5 and k + g < len(chars) and chars[k + g] in _SEPARATORS:
        g += 1
    return g


def _join_spaced(chars: list[str], offsets: list[int]) -> tuple[list[str], list[int]]:
    """Drop separators inside runs of single letters (``w e e d``, ``c. o. k. e``, ``大.麻``).

    A run needs three single letters, or two when both are kana or kanji (Japanese has no
    spaces between words, so a gap inside a kana or kanji word is an obfuscation).
    """
    n = len(chars)
    drop = [False] * n
    i = 0
    while i < n:
        if chars[i].isalnum() and (i == 0 or not chars[i - 1].isalnum()) and (
            i + 1 >= n or not chars[i + 1].isalnum()
        ):
            run = [i]
            k = i
            sep: str | None = None
            while True:
                g = _gap(chars, k + 1)
                nxt = k + 1 + g
                if g == 0 or nxt >= n or not chars[nxt].isalnum():
                    break
                # One run, one separator: "w.e.e.d 3.5g" stops at the space.
                gap = "".join(chars[k + 1:nxt])
                if sep is not None and gap != sep:
                    break
                sep = gap
                single = nxt + 1 >= n or not chars[nxt + 1].isalnum()
                # In Japanese the last character of a run may start a word ("大 麻あります").
                if not single and not (_is_cjk(chars[nxt]) and _is_cjk(chars[k])):
                    break
                run.append(nxt)
                k = nxt
                if not single:
                    break
            cjk = all(_is_cjk(chars[r]) for r in run)
            # Digits may sit in a run ("8 b a l l") but letters must carry it ("1 2 3" stays).
            letters = sum(chars[r].isalpha() for r in run)
            # Spaced leetspeak ("w 3 3 d"): two letters carry it when the digits are leet.
            leet = letters >= 2 and all(chars[r].isalpha() or chars[r] in _LEET for r in run)
            if (len(run) >= 3 and (letters >= 3 or leet)) or (len(run) == 2 and cjk):
                for a, b in zip(run, run[1:], strict=False):
                    for m in range(a + 1, b):
                        drop[m] = True
                i = k + 1
                continue
        i += 1
    if not any(drop):
        return chars, offsets
    return (
        [c for c, d in zip(chars, drop, strict=True) if not d],
        [o for o, d in zip(offsets, drop, strict=True) if not d],
    )


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching, keeping the map back to original offsets."""
    chars, offsets = _nfkc(_unmask_kana(text))
    chars = _unleet(chars)
    chars, offsets = _squeeze(chars, offsets)
    chars, offsets = _join_spaced(chars, offsets)
    # Again: a spaced word joined just now may be leetspeak ("w 3 3 d"; not "アイス0.5").
    chars = _unleet(chars, ascii_only=True)
    return Normalized("".join(chars), tuple(offsets), text)


def normalize_term(term: str) -> str:
    """Normalise a lexicon entry the same way as post text (without leet undoing)."""
    chars, offsets = _nfkc(term)
    chars, _ = _squeeze(chars, offsets)
    return "".join(chars)
