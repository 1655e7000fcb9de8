"""Legal goods named with drug words or sold in a drug's forms: supplements, games and films,
quoted product names, hand-pushed carts.

Kept apart from :mod:`analytics.drug.senses` (whose :func:`~analytics.drug.senses.ordinary_sense`
calls :func:`lawful_sense` on every drug hit) so that neither module grows past a readable size.
Checks run on the whole post, lower-cased and folded as post text is (katakana to hiragana).

* Supplements and vitamins ("vitamin D3 4000IU", "fish oil capsules", "melatonin", ビタミン,
  サプリ): a dosage form beside them ("pills", "tabs", "caps", 錠剤) is the supplement's, and
  the n-gram model alone does not make such a post an offer (its "365 tabs for $15" reads like
  a deal).
* Household products (dishwasher tabs, laundry pods, cleaning tablets; Finish, Persil, 食洗機):
  their tabs, pods and caps are the product's form, and "100 tabs for £14" is no deal.
* Aquarium, reef, pool and garden chemicals (reef salt, KH buffer, pool shock, fertiliser):
  their powders, salts and crystals are the chemical, and a 500 g bag of it is no deal.
* Craft and packaging supplies (beads, zip-lock bags, mailers) with no drug word: the n-gram
  model alone does not make an offer of "1000 pcs for £6".
* Games, films, books and merch ("weed farm tycoon", "Steam key", "DLC", "DVD", "box set",
  ゲーム, 漫画): a drug word there is a title's, whatever the price beside it.
* Trading cards and game items (Pokémon, TCG, booster packs) are games too.
* Scented goods (candles, wax melts, diffusers, soap) named with their scents: a strain's name
  there is the scent's ("Blue Dream scented candles").
* THC beside CBD and a statement that it stays within the law ("THC below legal limits",
  "<0.2% THC"): the lawful trace in a CBD product, not the goods.
* A product name in quotes or brackets (『Ecstasy Rose』, 「Snow White」, "Molly") in a post that
  names what kind of product it is (perfume, lipstick, candle, album, 香水, 入浴剤): a quoted
  brand name is no drug offer. Brackets that head a listing (【】) are not quotes.
* 手押し beside a cart, pump, mower or a load rating (台車, ポンプ, 芝刈り機, 耐荷重, キャスター)
  or pressed sushi (手押し寿司, 押し寿司, ばってら): the hand-pushed thing itself, not hand-to-hand
  delivery. A pump alone beside the trade's words (ネタ, 0.1, 品質, 入りました) is the syringe.
"""

from __future__ import annotations

import re
from functools import lru_cache

from analytics.drug.normalize import normalize_term

SUPPLEMENT_RE = re.compile(
    r"(?<![a-z])(?:vitamins?|multivitamins?|multi-vitamins?|vit [a-e]|d3|k2 ?\+ ?d3|b12|b-12|b complex|"
    r"\d+ ?iu|fish oil|cod liver oil|omega[- ]?3s?|melatonin|magnesium|zinc|biotin|collagen|"
    r"probiotics?|prebiotics?|turmeric|ashwagandha|glucosamine|elderberry|electrolytes?|iron supplements?|"
    r"calcium|folic acid|supplements?|softgels?|dietary|nutritional|prenatal|cranberry|echinacea|"
    r"creatine|spirulina|chlorella|coq10|lutein|saw palmetto|st john'?s wort|valerian root)(?![a-z])|"
    r"びたみん|さぷり|亜鉛|まぐねしうむ|鉄分|葉酸|乳酸菌|dha|epa|栄養補助|健康食品|プラセンタ|ぷらせんた")
# Household products sold as tabs, pods or caps: dishwasher and laundry brands, cleaning tablets.
HOUSEHOLD_RE = re.compile(
    r"(?<![a-z])(?:dishwasher|dish washer|laundry|detergent|washing machine|washing up|fabric softener|"
    r"descaler|descaling|limescale|toilet|bleach|cleaning (?:tabs|tablets|pods)|finish (?:quantum|powerball|"
    r"ultimate|all in one)|fairy (?:platinum|all in one|original)|cascade|tide pods|persil|ariel|ecover|"
    r"dettol|domestos|cillit bang|denture|steradent|polident|water softener|salt tablets|chlorine (?:tabs|"
    r"tablets)|pool (?:tabs|tablets|chlorine)|rinse aid|oven cleaner|air freshener|bin bags)(?![a-z])|"
    r"食洗機|食器洗い|洗濯|洗剤|柔軟剤|漂白剤|塩素|入れ歯|じぇるぼーる")
# Aquarium, reef, pond, pool and garden chemicals, sold as powders, salts and crystals by weight.
CHEMICALS_RE = re.compile(
    r"(?<![a-z])(?:aquariums?|aquaria|fish ?tanks?|marine (?:tanks?|salt|aquariums?)|reef (?:salt|tanks?|"
    r"safe|keeping|keepers?|aquariums?)|reefkeep\w*|corals?|salt mix|kh buffer|alkalinity|water conditioner|"
    r"dechlorinator|pond (?:salt|treatment)|pool (?:chemicals?|shock|salt|chlorine|clarifier)|swimming pool|"
    r"hot tub|spa chemicals|fertili[sz]ers?|plant food|garden lime|bone meal|blood meal|potash|lawn feed|"
    r"soil (?:conditioner|improver)|epsom salts?)(?![a-z])")
# The forms those chemicals are sold in: ambiguous drug words for the chemical itself.
CHEMICAL_FORMS = frozenset({"powder", "white", "crystal", "crystals", "rock", "rocks", "salts", "ice",
                            "snow", "shards", "glass"})
# Craft and packaging supplies by the hundred ("1000 pcs"): zip-lock bags, beads, mailers.
CRAFT_RE = re.compile(
    r"(?<![a-z])(?:beads?|beading|jewell?ery making|craft supplies|crafts?|crafting|scrapbook\w*|sewing|"
    r"haberdashery|embroidery|knitting|yarn|packaging supplies|mailer bags|poly mailers|"
    r"bubble mailers|jiffy bags|grip seal|resealable (?:bags|pouches)|zip ?lock bags|ziploc\w*)(?![a-z])")
# Dosage forms: with a supplement named, these are the supplement's.
FORM_TERMS = frozenset({"pills", "tabs", "caps", "pods", "capsules", "gummies", "bars", "beans", "rolls", "x",
                        "錠剤", "たま", "らむね", "ex", "blues", "candy", "💊"})
MEDIA_RE = re.compile(
    r"(?<![a-z])(?:on steam|steam gift|steam keys?|steam codes?|cd keys?|game keys?|game codes?|dlc|"
    r"tycoon|simulator|farming sim|sim game|video games?|board games?|card games?|tabletop|"
    r"pok[eé]mon|trading cards?|tcg|yu-?gi-?oh|magic the gathering|mtg|booster (?:packs?|box(?:es)?)|"
    r"holo|foil cards?|in-?game items?|game items?|skins? for|"
    r"xbox|ps4|ps5|playstation|"
    r"nintendo|switch games?|epic games|gog|season pass|expansion pack|dvd|dvds|blu-?ray|4k uhd|box ?set|"
    r"soundtrack|vinyl lp|paperback|hardback|hardcover|first edition|manga|comic|comics|graphic novel|"
    r"movie poster|film poster|funko|action figure|enamel pins?|the movie|the film|cosplay)(?![a-z])|"
    r"げーむ|げーむそふと|dvd|ぶるーれい|漫画|まんが|小説|写真集|さんとら|攻略本|ぽすたー|"
    r"ふぃぎゅあ|ぐっず|映画")
# What kind of product a quoted name is.
PRODUCT_RE = re.compile(
    r"(?<![a-z])(?:perfume|parfum|fragrance|fragrances|cologne|eau de|edp|edt|scent|scented|candles?|"
    r"lipstick|lip gloss|lip tint|nail polish|polish|shade|palette|eyeshadow|blush|highlighter|lotion|"
    r"body wash|shampoo|soap|bath bombs?|skincare|cosmetics|makeup|cocktail|mocktail|wine|beer|ale|"
    r"lager|gin|album|song|book|novel|film|movie|t-?shirt|hoodie|sticker|brand name|the brand|"
    r"tea blend|latte|ice cream)(?![a-z])|"
    r"香水|ふれぐらんす|こすめ|化粧|口紅|りっぷ|ねいる|まにきゅあ|入浴剤|ばすぼむ|石鹸|石けん|しゃんぷー|"
    r"ぼでぃ|きゃんどる|あろま|かくてる|わいん|びーる|日本酒|焼酎|あるばむ|新曲|曲名|書籍|小説|映画|"
    r"げーむ|ぶらんど|商品名|限定色|新色")
_OPENERS = {"『": "』", "「": "」", "“": "”", "《": "》", "〈": "〉", '"': '"'}
_QUOTE_SPAN = 40
# A CBD seller's own statement that its THC stays within the law: "THC below legal limits",
# "<0.2% THC", "THC under 0.3%". With CBD named, its THC is the lawful trace, not the goods.
_CBD_RE = re.compile(r"(?<![a-z])(?:cbd|cannabidiol|hemp (?:oil|extract))(?![a-z])")
_THC_LIMIT_RE = re.compile(r"(?<![a-z])(?:thc (?:below|under|within|less than) (?:the )?(?:legal|uk|eu|us|"
                           r"federal)?\s?limits?|(?:below|under|less than|<)\s?0?\.[0-9]+\s?% thc|"
                           r"thc (?:below|under|less than|<)\s?0?\.[0-9]+\s?%|"
                           r"(?:legal|trace) (?:levels? of )?thc)(?![a-z])")
# Scented goods named after what they smell of: "Blue Dream scented candles", "OG Kush wax melts".
_SCENTED_RE = re.compile(r"(?<![a-z])(?:scents?|scented|fragrances?|fragranced|aroma)(?![a-z])|香り")
_SCENTED_GOODS_RE = re.compile(r"(?<![a-z])(?:candles?|wax melts?|melts|reed diffusers?|diffusers?|"
                               r"room sprays?|air fresheners?|incense|soaps?|bath bombs?|perfumes?)(?![a-z])|"
                               r"きゃんどる|あろま|お香|石鹸|入浴剤|香水")
HAND_PUSHED_KEYS = frozenset({"手押し", "手おし", "て押し", "手推し"})
# Sale-cue words read for their ordinary sense too: 手押し (a cart), "plug" (a business's name).
SENSED_KEYS = HAND_PUSHED_KEYS | {"plug", "the plug"}
_HAND_PUSHED_RE = re.compile(
    r"台車|だいしゃ|かーと|わごん|芝刈|しばかり|草刈|噴霧|除雪|一輪車|ろーらー|すいーぱー|井戸|ぽんぷ|"
    r"耐荷重|積載|荷台|きゃすたー|折りたたみ|折り畳み|たいや|のーぱんく|運搬|ほーむせんたー|"
    r"ぶらんこ|ばぎー|べびーかー|農機具|耕運機|播種|種まき|"
    # pressed sushi made by hand: 手押し寿司, 押し寿司, 棒寿司, ばってら
    r"寿司|鮨|押しずし|棒ずし|ばってら|さば寿司|酢飯|しゃり")
# ぽんぷ is also the syringe of the meth trade: beside ねた (the goods), a dose-sized amount or the
# trade's words for quality and arrival, 手押し is hand-to-hand delivery again.
_PUMP_RE = re.compile(r"ぽんぷ")
_TRADE_RE = re.compile(r"(?<!寿司)(?<!すし)ねた(?!ばれ|帳)|品質|上物|極上|純度|入りました|ぶつ|"
                       r"(?<![\d.])0\.\d+(?![\d.%])|\d(?:\.\d+)?\s?(?:g|ぐらむ|グラム)(?![a-z])")


@lru_cache(maxsize=4096)
def _folded(original: str) -> str:
    return normalize_term(original)


def supplement(text: str) -> bool:
    """True when the post (folded) names a vitamin or supplement."""
    return SUPPLEMENT_RE.search(text) is not None


def media_title(text: str) -> bool:
    """True when the post (folded) sells a game, film, book or merch."""
    return MEDIA_RE.search(text) is not None


def household(text: str) -> bool:
    """True when the post (folded) sells a household product (dishwasher tabs, laundry pods)."""
    return HOUSEHOLD_RE.search(text) is not None


def chemicals(text: str) -> bool:
    """True when the post (folded) sells aquarium, pool or garden chemicals."""
    return CHEMICALS_RE.search(text) is not None


def lawful_goods(text: str) -> bool:
    """True when the post (folded) sells supplements, media, household products, aquarium or
    garden chemicals, or craft and packaging supplies: the n-gram model alone does not make it
    an offer."""
    return (supplement(text) or media_title(text) or household(text) or chemicals(text)
            or CRAFT_RE.search(text) is not None)


def _in_quotes(original: str, start: int, end: int) -> bool:
    """True when ``[start, end)`` sits inside one pair of quotes or brackets (not 【】)."""
    before = original[max(0, start - _QUOTE_SPAN):start]
    for opener, closer in _OPENERS.items():
        k = before.rfind(opener)
        if k < 0:
            continue
        inside = before[k + 1:]
        if opener == '"':
            if original[:start].count('"') % 2 == 0:
                continue
        elif closer in inside:
            continue
        if closer in original[end:end + _QUOTE_SPAN] and "\n" not in inside:
            return True
    return False


def lawful_sense(original: str, start: int, end: int, key: str) -> bool:
    """True when the drug (or 手押し) hit ``key`` at ``[start, end)`` of ``original`` names legal
    goods: a supplement's form, a game's or film's title, a scent, CBD's lawful THC, a quoted
    product name, a cart."""
    text = _folded(original)
    if key in HAND_PUSHED_KEYS:
        uses = {h.group(0) for h in _HAND_PUSHED_RE.finditer(text)}
        if uses and uses <= {"ぽんぷ"} and _TRADE_RE.search(text):
            return False  # the trade's syringe: "ねた入りました 0.1から ポンプ付き 手押し"
        return bool(uses)
    if key in FORM_TERMS and (supplement(text) or household(text)):
        return True
    if key in CHEMICAL_FORMS and chemicals(text):
        return True
    if media_title(text) or _SCENTED_RE.search(text) and _SCENTED_GOODS_RE.search(text):
        return True  # a title's name, or a scent's: "Blue Dream soy candles, 3 scents"
    if key == "thc" and _CBD_RE.search(text) and _THC_LIMIT_RE.search(text):
        return True
    return PRODUCT_RE.search(text) is not None and _in_quotes(original, start, end)
