"""Score one post for drug-sale intent: lexicon and pattern hits, fuzzy matching, context.

The screen is deliberately explainable: every point of the score comes from an evidence
span in the original text. ``sale_offer`` needs drug evidence AND a sale cue;
``drug_talk`` is drug evidence alone; everything else is ``benign``. Ambiguous words
("ice", "野菜", "❄️") only count when something else in the post backs them up and no
benign context word sits next to them. Weights were tuned on the ``tune`` split of
``fixtures/skills/drug_posts.jsonl`` only.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from analytics.drug.context import GOODS_CONTEXT_EN, GOODS_CONTEXT_JA, PROCESS_CONTEXT, TALK_CONTEXT
from analytics.drug.lawful import SENSED_KEYS
from analytics.drug.lexicon import (
    ASKING_RE,
    DOSE_RE,
    ELECTRICAL,
    HANDLE_RE,
    LETTER_DEAL_RE,
    LEXICON,
    MEANING_RE,
    NEGATIVE_AFTER,
    NEGATIVE_BEFORE,
    PRICE_RE,
    QUANTITY_RE,
    TRADE_CUES,
    VENDOR_TERMS_RE,
    WEIGHED_GOODS,
    Entry,
    Kind,
)
from analytics.drug.normalize import Normalized, fold_kana, normalize, normalize_term
from analytics.drug.patterns import lawful_retail, quoted_warning, repeat_backed, shape_evidence, snow_weather
from analytics.drug.senses import coded_pair, ordinary_sense
from analytics.drug.slang import CODED_EN, JA_PRICE_RE, PILL_STRENGTH_RE, REGIONAL_PRICE_RE, UNIT_PRICE_RE
from analytics.drug.spelling import REAL_WORDS, by_ear
from analytics.drug.wordforms import (
    STRETCHED_RE,
    SYMBOLS_RE,
    fold_runs,
    is_emoji,
    is_kanji,
    phonetic,
    singular,
    skeleton,
    skip_symbols,
)

logger = logging.getLogger(__name__)

SALE, TALK, BENIGN = "sale_offer", "drug_talk", "benign"
_JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_WORD_RE = re.compile(r"[a-z]{3,}")
_CUE_RE = re.compile(r"(?<![a-z])[a-z]*([a-z])\1[a-z]*(?![a-z])")  # words with a doubled letter
# A word's edge: Latin letters with diacritics are part of a word ("droëwors" holds no "dro").
_NOT_BEFORE, _NOT_AFTER = r"(?<![a-z0-9\u00c0-\u024f])", r"(?![a-z0-9\u00c0-\u024f])"
# What a seller names and a buyer asking does not: a price, an amount, a handle.
_OFFER_PATTERNS = frozenset({"price", "quantity", "unit price", "handle"})
# Deal sizes: what a code word with a benign sale of its own ("MD", "gorilla glue") needs beside it.
_DEAL_PATTERNS = frozenset({"quantity", "unit price", "pill strength"})
_MASKS = "[〇○●◯◎×✕＊*?？□■]"
_MASK_TABLE = str.maketrans({c: "\0" for c in "〇○●◯◎×✕＊*?？□■"})


@dataclass(frozen=True, slots=True)
class ScreenOptions:
    """Weights and cut-offs of the screen (tuned on the tune split only).

    Attributes:
        ambiguous_weight: drug evidence from one backed-up ambiguous term.
        weak_intent_weight: intent evidence from one weak cue (a price, "delivery").
        fuzzy_cutoff: rapidfuzz ratio (0-100) for a misspelt strong drug term.
        drug_min: drug evidence needed for ``drug_talk`` and ``sale_offer``.
        intent_min: intent evidence needed, on top of ``drug_min``, for ``sale_offer``.
        semantic_weight: how far embedding similarity to known sale posts moves the score.
    """

    ambiguous_weight: float = 0.8
    weak_intent_weight: float = 0.4
    fuzzy_cutoff: float = 86.0
    drug_min: float = 0.8
    intent_min: float = 0.8
    semantic_weight: float = 2.0


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence, as a span of the ORIGINAL post."""

    start: int
    end: int
    text: str
    kind: str  # "drug" | "intent"
    category: str
    strong: bool
    term: str
    how: str  # "lexicon" | "fuzzy" | "pattern"


@dataclass(frozen=True, slots=True)
class Screened:
    """The screen's verdict on one post."""

    score: float
    label: str
    lang: str
    drug: float
    intent: float
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


def detect_lang(text: str) -> str:
    """``ja`` when the post holds kana or kanji, else ``en``."""
    return "ja" if _JA_RE.search(text) else "en"


def _fold(pattern: str) -> str:
    """Katakana in a regular expression folded to hiragana (as post text is)."""
    return fold_kana(pattern)


def _is_ascii_word(key: str) -> bool:
    return all(c.isascii() for c in key) and any(c.isalnum() for c in key)


def _term_regex(terms: str) -> re.Pattern[str]:
    """One regex over ``|``-separated terms, folded as post text is, ASCII words bounded."""
    keys = sorted({normalize_term(t) for t in terms.split("|") if t.strip()}, key=len, reverse=True)
    return re.compile("|".join(
        rf"{_NOT_BEFORE}{re.escape(k)}{_NOT_AFTER}" if _is_ascii_word(k) else re.escape(k) for k in keys))


class _Matcher:
    """Compiled lexicon: one regex per evidence kind, plus negative contexts."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.by_key: dict[tuple[Kind, str], Entry] = {}
        for e in entries:
            self.by_key.setdefault((e.kind, e.key), e)
        self.regex: dict[Kind, re.Pattern[str]] = {}
        for kind in Kind:
            keys = sorted({k for (kd, k) in self.by_key if kd is kind}, key=len, reverse=True)
            parts = [
                rf"{_NOT_BEFORE}{re.escape(k)}{_NOT_AFTER}" if _is_ascii_word(k) else re.escape(k)
                for k in keys
            ]
            self.regex[kind] = re.compile("|".join(parts))
        english = [e for e in entries if e.kind is Kind.DRUG and e.lang == "en"]
        self.stretched = {fold_runs(e.key): e.key for e in english if e.key.isalpha()}
        # Post text is folded to hiragana, so the context patterns are folded the same way.
        self.neg_after = {normalize_term(k): re.compile(_fold(v)) for k, v in NEGATIVE_AFTER.items()}
        self.neg_before = {normalize_term(k): re.compile(_fold(v)) for k, v in NEGATIVE_BEFORE.items()}
        self.fuzzy_keys = sorted({e.key for e in english if e.strong and e.fuzzy and len(e.key) >= 5})
        sk = [(skeleton(k), k) for k in self.fuzzy_keys if k.isalpha() and len(k) >= 8]
        self.by_skeleton = {a: k for a, k in sk if len(a) >= 4 and sum(a == b for b, _ in sk) == 1}
        self.goods = _term_regex(f"{GOODS_CONTEXT_EN}|{GOODS_CONTEXT_JA}")
        self.goods_end = re.compile(rf"(?:{self.goods.pattern})\s*$")
        self.weighed = _term_regex(WEIGHED_GOODS)
        self.electrical = _term_regex(ELECTRICAL)
        # Strong kana drug words with one character masked (伏せ字: "ま〇ふぁな", "こ●いん").
        kana = sorted({e.key for e in entries if e.kind is Kind.DRUG and e.strong and len(e.key) >= 4
                       and all("\u3041" <= c <= "\u309f" for c in e.key)})
        self.masked = re.compile("|".join(
            re.escape(k[:i]) + _MASKS + re.escape(k[i + 1:]) for k in kana for i in range(1, len(k))))
        self.masked_of = {k[:i] + "\0" + k[i + 1:]: k for k in kana for i in range(1, len(k))}
        self.trade = frozenset(normalize_term(t) for t in TRADE_CUES.split("|") if t.strip())
        # News, fiction and searches ("容疑者を逮捕", "the actor playing a dealer"): drug and
        # trade words there are reported, not offered, so the rules never call it an offer.
        self.talk = _term_regex(TALK_CONTEXT)
        self.coded = frozenset(normalize_term(t) for c, terms in CODED_EN for t in terms.split("|"))
        self.process = frozenset(normalize_term(t) for t in PROCESS_CONTEXT.split("|"))

    def negated(self, text: str, key: str, start: int, end: int) -> bool:
        """True when a benign context word sits right before or after the hit ("ice cream")."""
        if text.startswith(("'s ", "’s "), end):
            return True  # a name's possessive: "molly's cupcakes", "charlie's cabs"
        if len(key) == 1 and is_kanji(key) and start > 0 and is_kanji(text[start - 1]):
            return True  # one kanji ending a compound word: 和紙, 小麦粉, 雑草, 積雪
        after = self.neg_after.get(key)
        if after is not None and (after.match(text, end) or after.match(text, end + 1) and text[end] == "-"
                                  or any(after.match(t) for t in skip_symbols(text, end))):
            return True
        if len(key) == 1 and key.isascii() and LETTER_DEAL_RE.match(text, end):
            return False  # "K £25/g": a one-letter code with a per-gram price
        before = self.neg_before.get(key)
        window = SYMBOLS_RE.sub("", text[max(0, start - 24):start])  # "ice ❄️ cream" as "ice cream"
        return before is not None and before.search(window) is not None


@lru_cache(maxsize=1)
def _matcher() -> _Matcher:
    return _Matcher(LEXICON)


@lru_cache(maxsize=65536)
def _fuzzy(token: str, cutoff: float) -> str | None:
    m = _matcher()
    hit = process.extractOne(token, m.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=cutoff)
    if hit is None:  # spelt by ear: same consonants, about the same length ("kettymean")
        key = m.by_skeleton.get(skeleton(token))
        ok = key is not None and abs(len(key) - len(token)) <= 2 and skeleton(key[0]) == skeleton(token[0])
        return key if ok else None
    return None if token in REAL_WORDS or hit[0] == token + "s" else str(hit[0])  # "refer", "football"


def _evidence(norm: Normalized, i: int, j: int, e: Entry, how: str) -> Evidence:
    a, b = norm.span(i, j)
    return Evidence(a, b, norm.original[a:b], e.kind.value, e.category, e.strong, e.term, how)


def _collect(norm: Normalized, opts: ScreenOptions) -> list[Evidence]:
    m = _matcher()
    text = norm.text
    found: list[Evidence] = []
    covered: list[tuple[int, int]] = []
    hits = [(hit, m.by_key[(kind, hit.group(0))])
            for kind, rx in m.regex.items() for hit in rx.finditer(text)]
    negated = [m.negated(text, hit.group(0), hit.start(), hit.end()) or (
        (e.kind is Kind.DRUG or e.key in SENSED_KEYS)
        and ordinary_sense(norm.original, *norm.span(hit.start(), hit.end()), e.key)) for hit, e in hits]
    # One sense per post: a drug word read in its ordinary sense once ("dry ice") is read so
    # throughout, and the emoji of its class are decoration of that sense ("ice 🧊", "🌲 tree").
    benign_keys = {singular(e.key) for (_, e), neg in zip(hits, negated, strict=True)
                   if neg and e.kind is Kind.DRUG}
    benign_classes = {e.category for (_, e), neg in zip(hits, negated, strict=True)
                      if neg and e.kind is Kind.DRUG and not is_emoji(e.term)}
    # A contact cue is one cue: the ambiguous word inside it is no drug ("LINE交換", "hit my line"),
    # unless the cue is drug-trade jargon itself ("パケ売り").
    contacts = [hit.span() for hit, e in hits
                if e.kind is Kind.INTENT and e.category == "contact" and e.key not in m.trade]
    # "sneaker plug here 🔌": the emoji is the same supplier of sneakers; beside chargers and
    # cables it is the plug in the wall.
    plug_benign = any(neg and e.key == "plug" for (_, e), neg in zip(hits, negated, strict=True)) or (
        m.electrical.search(text) is not None)
    for (hit, entry), neg in zip(hits, negated, strict=True):
        if entry.kind is Kind.DRUG and not entry.strong and any(
                a <= hit.start() and hit.end() <= b and b - a > hit.end() - hit.start() for a, b in contacts):
            continue
        if neg or (entry.kind is Kind.DRUG and (singular(entry.key) in benign_keys or (
                is_emoji(entry.term) and not entry.strong and entry.category in benign_classes))):
            continue
        if entry.term == "🔌" and plug_benign:
            continue
        if entry.kind is Kind.DRUG and not entry.strong and is_emoji(entry.term) and m.goods_end.search(
                SYMBOLS_RE.sub("", text[max(0, hit.start() - 30):hit.start()])):
            continue  # an emoji illustrating the good just named: "loose leaf tea 🍃", "bouquets 🌿"
        found.append(_evidence(norm, hit.start(), hit.end(), entry, "lexicon"))
        covered.append(hit.span())
    for hit in m.masked.finditer(text):
        key = m.masked_of.get(text[hit.start():hit.end()].translate(_MASK_TABLE))
        if key is not None:
            found.append(_evidence(norm, hit.start(), hit.end(), m.by_key[(Kind.DRUG, key)], "fuzzy"))
    for rx, strong, name in ((QUANTITY_RE, True, "quantity"), (PRICE_RE, False, "price"),
                             (UNIT_PRICE_RE, False, "unit price"), (JA_PRICE_RE, False, "price"),
                             (REGIONAL_PRICE_RE, False, "price"),
                             (HANDLE_RE, True, "handle")):
        for hit in rx.finditer(text):
            entry = Entry(name, Kind.INTENT, "contact" if strong else "offer", strong, "any")
            found.append(_evidence(norm, hit.start(), hit.end(), entry, "pattern"))
    # Letter codes in their context, repeat-customer phrasings, "snap: name" (analytics.drug.patterns).
    found += [_evidence(norm, a, b, entry, "pattern") for a, b, entry in shape_evidence(text)]
    for hit in PILL_STRENGTH_RE.finditer(text):
        # "oxy 80s", "blues 30s": a pill named by its strength is a drug whatever the name,
        # and a strength list is how a menu reads (weak intent: "my doctor gave me 10s" is not).
        for entry in (Entry("pill strength", Kind.DRUG, "pills", True, "en"),
                      Entry("pill strength", Kind.INTENT, "offer", False, "en")):
            found.append(_evidence(norm, hit.start(), hit.end(), entry, "pattern"))
    for hit in _WORD_RE.finditer(text):
        if any(a <= hit.start() < b for a, b in covered) or (Kind.DRUG, hit.group(0)) in m.by_key:
            continue  # matched already, or an exact term its benign context ruled out
        a, b = norm.span(hit.start(), hit.end())
        fuzzy_key: str | None = None
        if STRETCHED_RE.search(norm.original[a:b].lower()):
            # "cooookeee": deliberately stretched, so compare with doubled letters folded too.
            fuzzy_key = m.stretched.get(fold_runs(hit.group(0)))
        if fuzzy_key is None:
            # Phonetic spellings: "kokaine", "pillz", "phentanyl" (exact after the swap).
            sound = phonetic(hit.group(0))
            if sound != hit.group(0) and (Kind.DRUG, sound) in m.by_key:
                fuzzy_key = sound
        if fuzzy_key is None and len(hit.group(0)) >= 5:
            fuzzy_key = _fuzzy(hit.group(0), opts.fuzzy_cutoff)
        ear = by_ear(hit.group(0)) if fuzzy_key is None else None  # "zanax", "tellagram", "pryces"
        if ear is not None and not ordinary_sense(norm.original, a, b, ear[1]):
            found.append(_evidence(norm, hit.start(), hit.end(), m.by_key[(Kind(ear[0]), ear[1])], "fuzzy"))
        if fuzzy_key is not None:
            entry = m.by_key[(Kind.DRUG, fuzzy_key)]
            found.append(_evidence(norm, hit.start(), hit.end(), entry, "fuzzy"))
    for hit in _CUE_RE.finditer(text):
        # A stretched sale cue ("dmmm me", "hmuuu"): runs folded to one letter, exact match.
        word = hit.group(0)
        cue = m.by_key.get((Kind.INTENT, fold_runs(word)))
        if cue is not None and fold_runs(word) != word and not any(a <= hit.start() < b for a, b in covered):
            found.append(_evidence(norm, hit.start(), hit.end(), cue, "fuzzy"))
    # One stretch of text is one cue: "300円" is a price, not a price and a "円", and "£80 a g"
    # one price, not "£80" and "80 a g". Of overlapping cues the longest (then the first) stays.
    intents = [(ev.end - ev.start, -k, ev) for k, ev in enumerate(found) if ev.kind == "intent"]
    dropped = {id(ev) for n, k, ev in intents if any(
        o is not ev and o.start < ev.end and ev.start < o.end and (m_, j) > (n, k) for m_, j, o in intents)}
    found = [ev for ev in found if id(ev) not in dropped]
    found.sort(key=lambda ev: (ev.start, ev.end))
    return found


def _log_odds(drug: float, intent: float) -> float:
    return 1.6 * drug + 0.9 * intent + 1.2 * min(drug, intent) - 3.0


def screen(
    text: str,
    *,
    options: ScreenOptions | None = None,
    similarity: float | None = None,
) -> Screened:
    """Screen one post. ``similarity`` (optional, 0-1) is its embedding similarity to sale posts."""
    opts = options or ScreenOptions()
    norm = normalize(text)
    evidence = _collect(norm, opts)
    m = _matcher()
    if not repeat_backed(norm.text, any(ev.kind == "intent" and ev.strong for ev in evidence),
                         any(ev.kind == "intent" and not ev.strong for ev in evidence)):
        evidence = [ev for ev in evidence if ev.term != "repeat customer"]
    trade = any(normalize_term(ev.term) in m.trade for ev in evidence)
    if not (any(ev.kind == "drug" and ev.strong for ev in evidence) or trade or DOSE_RE.search(norm.text)
            or any(ev.term in _DEAL_PATTERNS for ev in evidence)):
        # Code words with a benign sale of their own count only beside a deal size or trade cue.
        evidence = [ev for ev in evidence if ev.kind != "drug" or normalize_term(ev.term) not in m.coded]
    if snow_weather(norm.text) and not any(ev.kind == "intent" for ev in evidence):
        # Snow as weather ("雪すごい❄️ 白いのが積もって"): with no sale cue its words are the weather.
        evidence = [ev for ev in evidence if ev.kind != "drug" or ev.strong or ev.category != "cocaine"]
    drug_strong = {ev.term for ev in evidence if ev.kind == "drug" and ev.strong}
    ambiguous = {ev.term for ev in evidence if ev.kind == "drug" and not ev.strong}
    intent_strong = {ev.term for ev in evidence if ev.kind == "intent" and ev.strong}
    intent_weak = {ev.term for ev in evidence if ev.kind == "intent" and not ev.strong}
    # An ambiguous word is backed up by a strong drug term, a strong sale cue, two weak
    # cues, or a second ambiguous term when at least one of the two is a word (two emoji
    # alone, like "🍁🍃" under autumn leaves, are decoration).
    backed = (
        bool(drug_strong)
        or bool(intent_strong)
        or len(intent_weak) >= 2
        or (len(ambiguous) >= 2 and any(not is_emoji(t) for t in ambiguous))
    )
    if backed and not drug_strong and ambiguous:
        # Among commerce words ("直売所", "gift box") a contact cue is how any seller writes;
        # an ambiguous word then needs drug-trade evidence to count.
        # Trade cues count as found: "coffee plug 🔌" is a supplier of coffee, no trade cue.
        # Goods sold by weight price by the gram, so a gram amount there is no dose.
        dose = DOSE_RE.search(norm.text) is not None and m.weighed.search(norm.text) is None
        # An emoji menu with a strong cue reads as drug trade: two drug emoji where no goods are
        # named (only how to order: "🍄🍫 + 💊🐬, DM to reserve"), or drug emoji of three classes.
        goods = {h.group(0) for h in m.goods.finditer(norm.text)}
        emoji = {(ev.term, ev.category) for ev in evidence if ev.kind == "drug" and is_emoji(ev.term)}
        menu = bool(intent_strong) and (len(emoji) >= 2 and goods <= m.process
                                        or len({c for _, c in emoji}) >= 3 or coded_pair(norm.original, [
                                            (ev.start, ev.end, ev.category) for ev in evidence
                                            if ev.kind == "drug" and not ev.strong], goods))
        if goods and not (trade or dose or menu):
            backed = False
    drug = min(3.0, len(drug_strong) + (opts.ambiguous_weight * len(ambiguous) if backed else 0.0))
    intent = min(3.0, len(intent_strong) + opts.weak_intent_weight * len(intent_weak))
    # News, fiction, harm reduction and buyers asking: trade words there are not an offer.
    # A vendor's own terms ("reship if seized") are no news report: they are read past.
    # A licensed retailer's own terms ("21+ with valid ID", "in-store only") are lawful retail.
    reported = lawful_retail(norm.text) or quoted_warning(norm.text) or (
        m.talk.search(VENDOR_TERMS_RE.sub(" ", norm.text)) is not None) or (
        MEANING_RE.search(norm.text) is not None) or (
        ASKING_RE.search(norm.text) is not None and not any(ev.term in _OFFER_PATTERNS for ev in evidence))
    if reported:
        intent = min(intent, opts.weak_intent_weight)
    offer = drug >= opts.drug_min and intent >= opts.intent_min and not reported
    z = _log_odds(drug, intent)
    if reported:
        # Scored no higher than bare drug talk, so the stacker does not read news as an offer.
        z = min(z, _log_odds(opts.drug_min, 0.0))
    if similarity is not None:
        z += opts.semantic_weight * (similarity - 0.5)
    score = 1.0 / (1.0 + math.exp(-z))
    if offer:
        label = SALE
    elif drug >= opts.drug_min:
        label = TALK
    else:
        label = BENIGN
    if not backed:
        # Unbacked ambiguous hits carry no weight, so they are not shown as evidence either.
        evidence = [ev for ev in evidence if ev.kind != "drug" or ev.strong]
    return Screened(round(score, 4), label, detect_lang(text), drug, intent, tuple(evidence))
