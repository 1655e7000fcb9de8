"""Ordinary senses of drug words read from the post around them: names, products, kitchens.

Kept apart from :mod:`analytics.drug.screen` (which calls :func:`ordinary_sense` on every drug
hit and :func:`coded_pair` on the ambiguous ones) so that neither module grows past a
readable size. The hit is given as a span of the ORIGINAL post, because capital letters say
what normalised text no longer does: "Molly Tuttle" is a person, "molly caps" are not.

* A given name ("Molly", "Charlie", "Tina", "Crystal", "Mary Jane") is a person's or a pet's
  when a capitalised surname follows it ("Charlie Puth", "Crystal Gayle"), when a title comes
  before it ("Aunt Tina", "Dr Charlie"), or when the post says whom it is named after or whose
  pet it is ("named after my cat", "our dog", "my daughter").
* A capitalised drug or dealer word heading a business's name ("The Plug Coffee Co", "Kush
  Kitchen"), introducing a pet ("Kush the Maine Coon"), or inside an @handle ("@shabu_kanda") is
  that name, not the goods or the dealer.
* A drug word heading a compound whose last noun is a product no drug is sold as ("hash
  browns", "Blue Ice freezer packs", "Molly pottery mugs", "snow globes", "weed killer",
  "speed boat", "hash tag") is that product's name: up to two words between them.
* Mushroom words beside a culinary species or a grow kit of one (oyster, shiitake, lion's
  mane) are kitchen mushrooms, unless the post names a psilocybin strain or "magic".
* A drug word denied right after it is asked ("Shrooms? Nope, ...", "Molly? Not that kind",
  "ハッパ？いいえ") is the writer's joke about it, not the goods; nor is the word given in
  its place ("Weed? Nope, just weeds", "ハッパ？いいえ、葉っぱです").
* Names of pets, boats, horses and bands, film props, streetwear praise
  (:mod:`analytics.drug.namesakes`).
* Legal goods (:mod:`analytics.drug.lawful`): supplements' dosage forms, game and film titles,
  quoted product names, hand-pushed carts.
* Two ambiguous Japanese drug words of two classes joined as one list ("野菜とアイス",
  "野菜・アイス") beside a strong contact cue are a coded menu, even among words like セット.
"""

from __future__ import annotations

import re

from analytics.drug.lawful import lawful_sense
from analytics.drug.namesakes import namesake

# Lexicon terms (normalised) that are also given names, a pet's or a person's.
NAME_TERMS = frozenset({"molly", "charlie", "tina", "crystal", "candy", "roxy", "addy", "mary jane",
                        "sherm", "lucy", "coco", "dolly", "gina"})
# A capitalised word after the name that is not a surname: how a seller writes a menu.
_NOT_SURNAME = frozenset(
    "available|delivered|delivery|deliveries|pure|uncut|grade|quality|fresh|back|now|only|here|tonight|"
    "today|ready|top|restock|restocked|special|specials|deal|deals|price|prices|and|or|for|the|on|at|in|"
    "caps|crystals|crystal|pills|tabs|bars|powder|rocks|shards|meth|gummies|capsules|points|grams|ounce|"
    "in stock|drop|drops|menu|hmu|dm|pm|text|call|order|orders|sale|selling|sold|out|still|also|"
    "is|was|are|from|with|by|to|of|per|each|bags|bag|pack|packs|ice|dope|fire|gas|loud|uk|us|eu".split("|"))
_SURNAME_RE = re.compile(r"[ \t]+([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)(?![A-Za-z])")
_TITLE_RE = re.compile(r"(?:^|[^A-Za-z])(?:mr|mrs|ms|miss|dr|aunt|auntie|aunty|uncle|nan|nana|granny|grandma|"
                       r"grandpa|saint|st|sister|lady|little|baby|princess|queen)\.?\s+$", re.IGNORECASE)
_NAMED_RE = re.compile(
    r"(?<![a-z])(?:named (?:after|for)|in (?:honou?r|memory) of|(?:my|our|her|his|their) (?:lovely |sweet |"
    r"little |old |late )?(?:cat|cats|kitten|kitty|puppy|pup|pony|horse|mare|rabbit|bunny|parrot|"
    r"hamster|goat|"
    r"hen|chicken|tortoise|daughter|niece|granddaughter|grandma|nan)|(?:our|her|his|their) (?:dog|dogs)"
    r")(?![a-z])")
_NAME_WINDOW = 48  # how far from the name the naming or pet words may sit
# Last nouns of compounds that name a product, never a drug's own form or measure.
PRODUCT_HEADS = (
    "browns|brown|packs|freezer|freezers|cooler|coolers|cool box|cube|cubes|tray|trays|maker|makers|"
    "machine|machines|scraper|scrapers|sculpture|sculptures|skates|rink|globe|globes|killer|killers|"
    "boat|boats|tag|tags|hashtag|mug|mugs|cup|cups|sticker|stickers|poster|posters|print|prints|"
    "t-shirt|t-shirts|tee|tees|hoodie|hoodies|keyring|keyrings|magnet|magnets|plush|plushie|plushies|"
    "costume|costumes|ornament|ornaments|figurine|figurines|candle|candles|soap|soaps|lolly|lollies|"
    "cream|creams|blower|blowers|shovel|shovels|boots|chains|tyres|tires|cone|cones|potatoes|"
    "scraper|puzzle|puzzles|jigsaw|book|books|novel|dvd|vinyl|figure|figures|doll|dolls|toy|toys|"
    "earrings|necklace|pendant|ring|rings|bracelet|socks|slippers|pyjamas|pajamas|hat|hats|"
    "pottery|ceramics|planter|planters|vase|vases|lamp|lamps|mower|mowers|strimmer|sprayer|spray|"
    "rolls|sandwich|sandwiches|burger|burgers|omelette|skillet|patties|recipe")
# Up to two words between the drug word and the head, none of them a list's joint ("weed and a mug").
_JOINT = r"(?!(?:and|or|n|for|with|in|on|at|the|a|an|to|of|from|plus|per|each|only|no)(?![a-z]))"
_HEAD_RE = re.compile(rf"(?:[ \t\-]+{_JOINT}[a-z'’]+){{0,2}}?[ \t\-]+(?:{PRODUCT_HEADS})(?![a-z])")
_MUSHROOM_TERMS = frozenset({"shroom", "shrooms", "mushrooms", "mushroom", "mushies", "🍄", "きのこ"})
_CULINARY_RE = re.compile(
    r"(?<![a-z])(?:oyster|king oyster|shiitake|lion'?s mane|lions mane|maitake|enoki|reishi|chestnut|"
    r"portobello|portabello|button|chanterelle|morel|morels|cordyceps|turkey tail|pink oyster|blue oyster|"
    r"gourmet)(?![a-z])|しいたけ|椎茸|しめじ|えりんぎ|舞茸|まいたけ|なめこ|えのき|まっしゅるーむ")
_PSILOCYBIN_RE = re.compile(r"(?<![a-z])(?:magic|psilocybin|psilocybe|cubensis|golden teachers?|penis envy|"
                            r"b\+|albino|trippy|trip|microdos\w*|spores? syringes?)(?![a-z])|マジック|幻覚")
_DENIED_RE = re.compile(r"\s?[?？]+\s*(?:nope|nah|no,? not|not (?:that|those|what)|not quite|sadly not|"
                        r"いいえ|いや|ちが|違|じゃない|ではない|ではなく|じゃなくて)(?![a-z])",
                        re.IGNORECASE)
# ... and the word given in its place is its ordinary sense: "Weed? Nope, just garden weeds",
# "ハッパ？いいえ、葉っぱです".
_ANSWER_RE = re.compile(r"[?？]+\s*(?:nope|nah|no|いいえ|いや)[,、.。!！\s]*(?:just |only |ただの|普通の)?$",
                        re.IGNORECASE)
# Ambiguous Japanese drug words joined as one list: "野菜とアイス", "アイス・野菜", "野菜&アイス".
_JA_JOIN_RE = re.compile(r"^\s?(?:と|・|&|＆|\+|＋|/|、|や)\s?$")


# A business's own name: the word capitalised, then up to two capitalised words and a business noun
# ("The Plug Coffee Co", "Kush Kitchen", "Molly Mae Candles").
_BUSINESS = ("co|company|ltd|inc|llc|roasters|roastery|coffee|bakery|cattery|kennels|boutique|studio|studios|"
             "shop|store|cafe|café|salon|records|brewing|brewery|farm|farms|apparel|clothing|candles|kitchen|"
             "grill|diner|barbers|barbershop|tattoo|gym|fitness|designs|collective|trading|goods|supply co|"
             "florist|florists|nursery|garage|motors|cakes|bakes|pizza|tacos")
_BUSINESS_RE = re.compile(rf"(?:[ \t]+[A-Z][A-Za-z'’]*){{0,2}}?[ \t]+(?:{_BUSINESS}|{_BUSINESS.title()}|"
                          rf"{_BUSINESS.upper()})\.?(?![A-Za-z])")
# A pet or a person introduced by an appositive: "Kush the Maine Coon", "Charlie the cockapoo".
_APPOSITIVE_RE = re.compile(r"[ \t]+the[ \t]+(?:[A-Z][a-z]+|(?:cat|dog|kitten|puppy|pup|pony|horse|rabbit|"
                            r"bunny|parrot|hamster|goat|tortoise|cockapoo|labrador|lab|spaniel|poodle|"
                            r"tabby|husky|corgi|pug|beagle|dachshund|retriever|terrier|bulldog|ragdoll))"
                            r"(?![a-z])")
# Inside a messenger or social handle: "@shabu_kanda", "@weed.free.garden" name an account.
_HANDLE_BEFORE_RE = re.compile(r"@[A-Za-z0-9_.]*$")
_HANDLES_RE = re.compile(r"@[A-Za-z0-9_.]+")


def _business_or_pet(original: str, start: int, end: int) -> bool:
    """True when the capitalised hit at ``[start, end)`` names a business, a pet or an account."""
    hit = original[start:end]
    if _HANDLE_BEFORE_RE.search(original[max(0, start - 32):start]):
        # Only when the word is nowhere else in the post: one sense per post would otherwise read
        # "yokes ... Telegram @d4_yokes" as an account's name throughout.
        return hit.lower() not in _HANDLES_RE.sub(" ", original).lower()
    if not hit[:1].isupper():
        return False
    return _BUSINESS_RE.match(original, end) is not None or _APPOSITIVE_RE.match(original, end) is not None


def _name_sense(original: str, start: int, end: int) -> bool:
    """True when the name-like hit at ``[start, end)`` is a person's or pet's name."""
    hit = original[start:end]
    if hit[:1].isupper():
        m = _SURNAME_RE.match(original, end)
        if m is not None and m.group(1).lower() not in _NOT_SURNAME and not m.group(1).isupper():
            return True
    if _TITLE_RE.search(original[max(0, start - 16):start]):
        return True
    window = original[max(0, start - _NAME_WINDOW):end + _NAME_WINDOW].lower()
    return _NAMED_RE.search(window) is not None


def ordinary_sense(original: str, start: int, end: int, key: str) -> bool:
    """True when the drug hit ``key`` at ``[start, end)`` of ``original`` is read in its ordinary
    sense: a name, a product compound, a kitchen mushroom, a denied joke, legal goods."""
    if lawful_sense(original, start, end, key):
        return True
    if key in NAME_TERMS and _name_sense(original, start, end):
        return True
    if _business_or_pet(original, start, end) or namesake(original, start, end, key):
        return True
    lower = original.lower()
    if key.isascii() and _HEAD_RE.match(lower, end):
        return True
    if key in _MUSHROOM_TERMS and _CULINARY_RE.search(lower) and not _PSILOCYBIN_RE.search(lower):
        return True
    answered = _ANSWER_RE.search(original[max(0, start - 16):start]) is not None
    return answered or _DENIED_RE.match(original, end) is not None


# Goods words that name how goods are put together, not what they are: beside a coded pair
# they name no goods. A farm, a shop or a courier word beside the pair does.
PACKAGING = frozenset({"せっと", "詰め合わせ", "set of", "bundle", "予約"})


def coded_pair(text: str, spans: list[tuple[int, int, str]],
               goods: frozenset[str] | set[str] = frozenset()) -> bool:
    """True when two ambiguous Japanese drug words of two classes sit side by side as one list
    and the post's goods words (normalised, ``goods``) only say how they are packed.

    ``spans`` are ``(start, end, category)`` of the ambiguous hits in ``text``.
    """
    if not set(goods) <= PACKAGING:
        return False
    ordered = sorted(spans)
    for (a0, a1, ca), (b0, b1, cb) in zip(ordered, ordered[1:], strict=False):
        between = text[a1:b0]
        kana = not text[a0:a1].isascii() and not text[b0:b1].isascii()
        if ca != cb and kana and _JA_JOIN_RE.match(between):
            return True
    return False
