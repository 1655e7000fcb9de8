"""Evidence read from a post's shape rather than from one word: letter codes in their context,
repeat-customer phrasings, messenger handles written as "snap: name", and lawful retail.

Kept apart from :mod:`analytics.drug.screen` (which calls :func:`shape_evidence`) so that
neither module grows past a readable size. All patterns run on normalised post text
(lower case, katakana folded to hiragana, spaced and dotted letters joined).

* A one-letter code means a drug only beside what that drug is sold as: "G" (GHB) beside a
  liquid volume, a dropper, a vial or a droplet emoji (``500ml``, 液体, 小瓶, 💧), and so does
  "Gina" (GHB; ambiguous, as it is a name, so it still needs backing); "S" (methamphetamine, in a
  Japanese post) beside a dose-sized amount (``0.2から``).
* "P" (methamphetamine in New Zealand) alone as a word beside the units it is dealt in there
  (points, a half, a ball, grams, "on hand"): "got P on hand, points $100". Not "P plates".
* "H" (heroin) alone as a word, and no label ("vitamin H", "gate H"), beside the amounts it is
  dealt in (points, 0.1, grams): "H available, 0.1 for $50".
* A buyer's vouch ("vouched", "shoutout", "came through", "fire as always") for a dealer's unit
  they got ("got my zip in 30 mins", "copped an eighth"): coded drug evidence, strong.
* Drug words masked by symbols or written backwards (:mod:`analytics.drug.disguise`).
* Repeat-customer phrasings ("same quality as last time", "usual spot", 前回と同じ, いつもの場所)
  are how a dealer writes to buyers who know the goods; they count as coded drug evidence
  (ambiguous, so they still need backing) only with a restock word or a strong contact cue.
* "snap: nightowl.drops", "tg - name": a messenger named with a handle is a contact cue; so is
  "snap k_hole_22", a name after a space alone that holds a digit, "_" or ".".
* Snow as weather (積もって, 雪かき, "snow day"): beside these, with no sale cue, a snow word
  or emoji (雪, ❄️, 白いの) is the weather.
* Goods sold by weight (spices by the gram, tea, bullion) in a post without one drug word:
  the per-gram price is the shop's, so the n-gram model alone does not make it an offer.
* Trade amounts: a dealer's quantity ("1g", "3.5g", "an eighth", "zips", "qp", "bags", "bricks",
  "moving weight", "tabs", "caps", 1錠, 1枚) or a price ladder ("1 for 80, 2 for 150"). Where the
  lexicon found no drug word, the n-gram model alone makes an offer only of a post with one:
  "Cherry shrimp 10 for £15, message me" or a bike for 1.5万 reads like a deal but sells none.
* Trade jargon that names the drug by how it is sold: a microgram dose beside tabs, sheets or
  1P (LSD), "zips 180" (an ounce of cannabis with its price), and wholesale by the kilo or
  brick (卸, キロ単位, "bricks") over an encrypted messenger (Threema, Wickr, Session, Signal).
* Nitrous oxide (笑気ガス, "laughing gas", "nitrous") beside inhaling, balloons or tanks is sold
  to get high: strong drug evidence.
* A licensed dispensary's own terms ("21+ with valid ID", "in-store only") and a regulated
  seller's (licence numbers, regulators, prescription only: :mod:`analytics.drug.regulated`)
  mark lawful retail: two of them and the post is no offer, like news; nor is a post offering
  harm-reduction supplies or a recovery service.
"""

from __future__ import annotations

import re

from analytics.drug.context import WEATHER_CONTEXT
from analytics.drug.disguise import disguised_words
from analytics.drug.lexicon import DOSE_RE, WEIGHED_GOODS, Entry, Kind
from analytics.drug.normalize import normalize_term
from analytics.drug.regulated import harm_reduction, regulated_terms

_LETTER_EDGE = r"(?<![a-z0-9&.'’/\-])"
# "G" alone as a word: not "G&S", "5 g", "80 a g", "$10/g", "g-shock".
_G_RE = re.compile(rf"{_LETTER_EDGE}(?<!\d\s)(?<!\sa\s)(?<!per\s)g(?![a-z0-9&'’\-])")
LIQUID_RE = re.compile(r"\d+(?:\.\d+)?\s?ml(?![a-z])|(?<![a-z])(?:droppers?|pipettes?|vials?)(?![a-z])|"
                       r"小瓶|液体|すぽいと|ぼとる|💧")
# "Gina" (GHB in Australia and the UK) beside a liquid volume: ambiguous, since Gina is a name.
_GINA_RE = re.compile(r"(?<![a-z])gina(?![a-z'’])")
# "S" alone before a space, a Japanese offer word or punctuation: not "Sサイズ".
_S_RE = re.compile(rf"{_LETTER_EDGE}s(?=\s|[、。・,/:]|あり|有り|入荷|入り|在庫|$)")
_JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# "P" (methamphetamine in New Zealand) alone as a word, not "P plates", "p&p", "5 p", "p.m.".
_P_RE = re.compile(rf"{_LETTER_EDGE}(?<!\d\s)p(?![a-z0-9&'’/\-]|\.[a-z0-9]|\s?-?\s?plat(?:es?|ers?))")
# ... beside the units it is dealt in there: points (0.1 g), a half or a ball (3.5 g), grams.
_P_DEAL_RE = re.compile(r"(?<![a-z])(?:points?|pts|half ball|ball|balls|half|halves|grams?|on hand)(?![a-z])")
_P_SPAN = 30
# "H" (heroin) alone as a word, not "H&M", "24 h", "h2o", "H-bomb", "J. H. Smith", nor a label
# ("vitamin H", "plan H", "gate H") ...
_H_RE = re.compile(rf"{_LETTER_EDGE}(?<!\d\s)h(?![a-z0-9&'’/\-.])")
_LABEL_RE = re.compile(r"(?<![a-z])(?:vitamin|plan|type|block|gate|room|zone|grade|level|size|class|section|"
                       r"row|wing|option|building|platform|bay|unit|part|exhibit|appendix|team|group|car|hall)\s$")
# ... beside the amounts it is dealt in: points, tenths of a gram, grams.
_H_DEAL_RE = re.compile(r"(?<![a-z])(?:points?|pts|half g|grams?)(?![a-z])|"
                        r"(?<![\d.])0\.[1-9](?![\d%])(?!\s?(?:km|kg|mi|m|l|ml|mg|cm|mm|miles)(?![a-z]))|"
                        r"(?<![\d.])[0-9](?:\.[0-9])?\s?g(?![a-z])")
_H_SPAN = 48
REPEAT_RE = re.compile(
    r"(?<![a-z])(?:same (?:quality|thing|stuff|price|prices|batch|as)(?: \w+)? as (?:last time|last week|"
    r"before|always)|same as (?:last time|last week|before|always)|usual (?:spot|place|corner|car park|"
    r"parking lot|ting))(?![a-z])|"
    r"前回と同じ|前と同じ|いつもの(?:場所|駐車場|所|とこ|やつ|公園|あかうんと)|例のもの")
RESTOCK_RE = re.compile(r"(?<![a-z])(?:restock|restocked|re-?up|back in stock|just landed|landed|reloaded)"
                        r"(?![a-z])|補充|入荷|入りました|入った|届きました|再開")
_MESSENGERS = r"(?<![a-z])(?:snap|snapchat|sc|tg|telegram|tele|wickr|signal|kik|threema|session|insta|ig)"
MESSENGER_HANDLE_RE = re.compile(rf"{_MESSENGERS}\s?[:\-=]\s?@?[a-z][a-z0-9_.]{{2,}}")
# ... or after a space alone when the name holds what no word does ("snap k_hole_22"): the name
# alone is the cue, so the messenger's name stays a cue of its own ("wickr").
_SPACED_HANDLE_RE = re.compile(
    rf"{_MESSENGERS}\s(?P<name>(?=[a-z][a-z0-9]*[_.0-9])[a-z][a-z0-9_.]{{2,}}[a-z0-9])")
# Vouches: a buyer's praise of a dealer's delivery ("vouched, got my zip in 20 mins") naming a
# dealer's unit (an ounce as a "zip", a "qp", an "eighth") the buyer got: the goods are a drug.
_VOUCH_RE = re.compile(r"(?<![a-z])(?:vouch\w*|shout ?outs?|tapping in|tapped in|came through|legit plug|"
                       r"never (?:disappoints|misses|fails)|(?:fire|gas|loud) as always)(?![a-z])")
_GOT_UNIT_RE = re.compile(r"(?<![a-z])(?:got|get|received|copped|grabbed|picked up)\s(?:my|me|a|an|the|"
                          r"his|her|their|our)\s(?:half\s)?(?:zips?|z|qps?|oz|eighths?|8ths?|8 ball|teeners?)"
                          r"(?![a-z0-9\-])(?!\s(?:hoodies?|ups?|jackets?|tops?|ties?|locks?|bags?|codes?|"
                          r"files?|lines?|steaks?|bottles?|jars?|of))")
_LAWFUL_RE = re.compile(
    r"(?<![a-z])(?:licensed (?:dispensary|retailer|store|cannabis (?:store|retailer))|state[- ]licensed|"
    r"licen[cs]e (?:no|number|#)|21\+ (?:with|w/) (?:a )?valid id|valid id required|must be 21|"
    r"in[- ]store only|consume responsibly|for adults 21)(?![a-z])")

_WEATHER_RE = re.compile("|".join(rf"(?<![a-z]){re.escape(t)}(?![a-z])" if t.isascii() else re.escape(t)
                                  for t in WEATHER_CONTEXT.split("|")))

_WEIGHED_RE = re.compile("|".join(
    rf"(?<![a-z]){re.escape(k)}(?![a-z])" if k.isascii() else re.escape(k)
    for k in sorted({normalize_term(t) for t in WEIGHED_GOODS.split("|")}, key=len, reverse=True)))

_UG_RE = re.compile(r"(?<![a-z0-9.])[0-9]+\s?(?:ug|µg|μg|mcg)(?![a-z])")
_BLOTTER_RE = re.compile(r"(?<![a-z])(?:tabs?|sheets?|blotters?|1p|1p-lsd|hits)(?![a-z])")
_ZIPS_RE = re.compile(r"(?<![a-z])(?:half )?(?:zips?|qps?)\s?[$£€]?[0-9]{2,4}(?![0-9])")
_BULK_RE = re.compile(r"(?<![a-z])(?:kilos?|bricks?|keys)(?![a-z])|きろ単位|kg単位")
_WHOLESALE_RE = re.compile(r"(?<![a-z])(?:wholesale|bricks?|bulk only)(?![a-z])|卸|大口")
_SECURE_RE = re.compile(r"(?<![a-z])(?:threema|wickr|session id|signal only|telegram only)(?![a-z])|"
                        r"すれま|ういっかー")
# Nitrous oxide sold to get high: 笑気 or "laughing gas" beside inhaling, balloons or tanks
# (吸ってハイ, バルーン, ボンベ, "get high"); cream chargers for the kitchen name none of these.
_NITROUS_RE = re.compile(r"笑気|亜酸化窒素|(?<![a-z])(?:laughing gas|nitrous|nos)(?![a-z])")
_INHALED_RE = re.compile(r"吸って|はいになれ|はいになる|ばるーん|風船|ぼんべ|(?<![a-z])(?:balloons?|get high|"
                         r"getting high|buzz|tanks?|cylinders?)(?![a-z])")
_NITROUS = Entry("nitrous to inhale", Kind.DRUG, "inhalants", True, "any", fuzzy=False)
_LSD = Entry("microgram dose", Kind.DRUG, "lsd", True, "any", fuzzy=False)
_ZIPS = Entry("zips with a price", Kind.DRUG, "cannabis", True, "any", fuzzy=False)
_BULK = Entry("wholesale by the kilo", Kind.DRUG, "coded", True, "any", fuzzy=False)
_G = Entry("G", Kind.DRUG, "ghb", True, "any", fuzzy=False)
_GINA = Entry("Gina", Kind.DRUG, "ghb", False, "en", fuzzy=False)
_S = Entry("S", Kind.DRUG, "meth", True, "ja", fuzzy=False)
_P = Entry("P", Kind.DRUG, "meth", True, "en", fuzzy=False)
_REPEAT = Entry("repeat customer", Kind.DRUG, "coded", False, "any", fuzzy=False)
_HANDLE = Entry("handle", Kind.INTENT, "contact", True, "any", fuzzy=False)
_H = Entry("H", Kind.DRUG, "heroin", True, "en", fuzzy=False)
_VOUCHED = Entry("vouched dealer unit", Kind.DRUG, "coded", True, "en", fuzzy=False)


TRADE_AMOUNT_RE = re.compile(
    r"(?<![a-z0-9.])(?:[0-9]|[12][0-9])(?:\.[0-9]+)?\s?(?:g|gs|grams?|ｇ|グラム)(?![a-z])|"
    # Not a retail pack by the kilo ("10kg bags" of party ice).
    r"(?<![a-z])(?<!kg\s)(?<!kg)(?:zips?|qps?|oz|ozs|eighths?|quarters?|halves|half|z|bags?|bricks?|weight|tabs?|caps|pills|"
    r"sheets?|kilos?|keys)(?![a-z])|[0-9]+\s?(?:錠|枚|粒|本)|"
    # A bare decimal amount beside a price ("0.5 2万", "0.2 $60"): grams left unwritten.
    r"(?<![0-9.,])[0-9]\.[0-9]\s[$£€¥]?[0-9]+(?:万|円|k)?(?![0-9.])")
_LADDER_RE = re.compile(r"(?<![a-z0-9.])[0-9]+(?:\.[0-9]+)?\s?for\s?[$£€]?[0-9]+")


# Retail packs by the pound or the kilo ("5lb bags", "25kg sacks"): the post's bags are those packs.
_RETAIL_PACK_RE = re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)?\s?(?:lb|lbs|kg|kilo|kilos|litre|liter)\s?"
                             r"(?:bags?|sacks?|tubs?|boxes|buckets?|bottles?|pouches?)(?![a-z])")
_BAGS_RE = re.compile(r"(?<![a-z])(?:bags?|sacks?)(?![a-z])")


def trade_amount(text: str) -> bool:
    """True when the post names a dealer's quantity or a price ladder (two "N for P")."""
    if _RETAIL_PACK_RE.search(text):
        text = _BAGS_RE.sub(" ", text)
    return TRADE_AMOUNT_RE.search(text) is not None or len(_LADDER_RE.findall(text)) >= 2


def shape_evidence(text: str) -> list[tuple[int, int, Entry]]:
    """``(start, end, entry)`` spans of ``text`` (normalised) found by the rules above.

    Repeat-customer spans come back unconditionally; :func:`repeat_backed` says whether the
    post holds what they need beside them.
    """
    found: list[tuple[int, int, Entry]] = []
    if LIQUID_RE.search(text):
        found += [(h.start(), h.end(), _G) for h in _G_RE.finditer(text)]
        found += [(h.start(), h.end(), _GINA) for h in _GINA_RE.finditer(text)]
    found += [(h.start(), h.end(), _P) for h in _P_RE.finditer(text)
              if _P_DEAL_RE.search(text, max(0, h.start() - _P_SPAN), h.end() + _P_SPAN)]
    found += [(h.start(), h.end(), _H) for h in _H_RE.finditer(text)
              if not _LABEL_RE.search(text, max(0, h.start() - 12), h.start())
              and _H_DEAL_RE.search(text, max(0, h.start() - _H_SPAN), h.end() + _H_SPAN)]
    if _VOUCH_RE.search(text):
        found += [(h.start(), h.end(), _VOUCHED) for h in _GOT_UNIT_RE.finditer(text)]
    found += disguised_words(text)
    if _JA_RE.search(text) and DOSE_RE.search(text):
        found += [(h.start(), h.end(), _S) for h in _S_RE.finditer(text)]
    if _BLOTTER_RE.search(text):
        found += [(h.start(), h.end(), _LSD) for h in _UG_RE.finditer(text)]
    found += [(h.start(), h.end(), _ZIPS) for h in _ZIPS_RE.finditer(text)]
    if _INHALED_RE.search(text):
        found += [(h.start(), h.end(), _NITROUS) for h in _NITROUS_RE.finditer(text)]
    if _WHOLESALE_RE.search(text) and _SECURE_RE.search(text):
        found += [(h.start(), h.end(), _BULK) for h in _BULK_RE.finditer(text)]
    found += [(h.start(), h.end(), _REPEAT) for h in REPEAT_RE.finditer(text)]
    found += [(h.start(), h.end(), _HANDLE) for h in MESSENGER_HANDLE_RE.finditer(text)]
    found += [(h.start("name"), h.end("name"), _HANDLE) for h in _SPACED_HANDLE_RE.finditer(text)]
    return found


def repeat_backed(text: str, strong_contact: bool, other_cue: bool) -> bool:
    """True when a repeat-customer phrasing sits beside a restock word, or beside a strong
    contact cue with a second such phrasing or another sale cue (a price, "available"): friends
    swapping LINE to meet "いつもの駐車場" are no sellers."""
    if RESTOCK_RE.search(text):
        return True
    return strong_contact and (other_cue or len({h.group(0) for h in REPEAT_RE.finditer(text)}) >= 2)


# Slang quoted ("「手押し」って書いてる投稿", 'posts saying "plug"') beside a warning or a report.
_QUOTED_RE = re.compile(r"「[^」]{1,12}」|[\"“”][^\"“”]{1,16}[\"“”]")
_WARNING_RE = re.compile(r"気をつけて|気を付けて|らしい|売人|注意|(?<![a-z])(?:be careful|scams?|scammers?|"
                         r"watch out|beware)(?![a-z])")


def quoted_warning(text: str) -> bool:
    """True when the post quotes a word in 「」 or "" and carries a warning or a report word."""
    return _QUOTED_RE.search(text) is not None and _WARNING_RE.search(text) is not None


def lawful_retail(text: str) -> bool:
    """True when the post carries two of a licensed or regulated retailer's own terms
    (:mod:`analytics.drug.regulated`), or offers harm-reduction supplies or a support service."""
    terms = {h.group(0) for h in _LAWFUL_RE.finditer(text)} | regulated_terms(text)
    return len(terms) >= 2 or harm_reduction(text)


def snow_weather(text: str) -> bool:
    """True when the post talks about snow as weather ("雪が一面に積もって", "snow day tomorrow")."""
    return _WEATHER_RE.search(text) is not None


def weighed_goods(text: str) -> bool:
    """True when the post names goods sold by weight ("saffron by the gram", 茶葉, "silver")."""
    return _WEIGHED_RE.search(text) is not None
