"""Drug words standing for something else: a pet's, boat's, horse's or band's name, a film prop,
streetwear praise.

Kept apart from :mod:`analytics.drug.senses` (whose :func:`~analytics.drug.senses.ordinary_sense`
calls :func:`namesake` on every drug hit) so that neither module grows past a readable size. The
hit is given as a span of the ORIGINAL post: capital letters and quotes say it is a name.

* A capitalised (or quoted) drug word right after a lower-case noun for a named thing, a pet's
  species or breed ("our pug Kush", "my husky Molly"), a boat ("fishing boat 'White Line'"), a
  horse or a band, optionally with "named", "called" or an opening quote between: that name.
  Strain names are written in title case ("Chem Dog Kush"), so without "named" or a quote the
  noun must be lower case.
* A drug word in quotes said to be what someone is called (「エス」って呼ばれてる, nicknamed
  "Ice", a friend we call 'Snow'): a nickname.
* A drug word just after "prop", "fake", "replica" and the like, in a post about props for
  film, TV or the stage ("prop house", "for film sets", "cosplay"): a prop, not the goods.
* "dope", "gas", "loud" in a post selling sneakers or streetwear ("Dope restock 👟", "gas
  hoodies"): praise for the goods.
"""

from __future__ import annotations

import re

# Nouns for things given names: pets by species or breed, boats, horses, bands.
_NAMED_NOUNS = (
    "cat|cats|kitten|kitty|dog|puppy|pup|pug|husky|corgi|beagle|poodle|spaniel|cockapoo|cavapoo|labrador|"
    "lab|retriever|terrier|bulldog|frenchie|dachshund|sausage dog|greyhound|whippet|collie|shepherd|"
    "chihuahua|pomeranian|shih tzu|rottweiler|staffy|staffie|ragdoll|tabby|bengal|maine coon|sphynx|"
    "rabbit|bunny|parrot|budgie|cockatiel|hamster|guinea pig|ferret|tortoise|turtle|snake|gecko|"
    "pony|horse|mare|gelding|filly|colt|stallion|racehorse|boat|yacht|dinghy|cruiser|trawler|ketch|"
    "sloop|catamaran|vessel|barge|band|duo|trio")
_NAMED_RE = re.compile(
    rf"(?<![A-Za-z])(?P<noun>(?i:{_NAMED_NOUNS}))[ \t]+(?P<how>(?:(?:named|called|christened|dubbed)[ \t]+)?"
    r"(?P<quote>['\"‘“]?))(?:[A-Z][\w'’]*[ \t]+){0,2}$")
_NAMED_SPAN = 48
# Props for the screen and the stage: the word before the drug word, and the post's trade.
_PROP_BEFORE_RE = re.compile(r"(?<![a-z])(?:prop|props|fake|replica|imitation|dummy|faux|novelty|"
                             r"stage|sfx)(?:[ \t]+[a-z]+)?[ \t]+$")
_PROP_TRADE_RE = re.compile(r"(?<![a-z])(?:prop|props|prop house|film|films|tv|television|movie|movies|"
                            r"stage|theatre|theater|production|productions|set dressing|film sets?|"
                            r"cosplay|costume|costumes|halloween|special effects|sfx|photo shoots?)(?![a-z])")
PRAISE_TERMS = frozenset({"dope", "gas", "loud"})
_STREETWEAR_RE = re.compile(
    r"(?<![a-z])(?:sneakers?|kicks|trainers|jordans|jordan \d+|aj\d+|dunks|yeezys?|air max|air force 1s?|"
    r"af1s?|new balance|streetwear|hoodies?|tees|t-?shirts|joggers|tracksuits?|snapbacks?|fitted caps?|"
    r"colou?rways?|deadstock|sizes? (?:uk |us |eu )?\d+)(?![a-z])|👟|👕|🧢")


# A quoted nickname: 「エス」って呼ばれてる友達, a friend we call "Ice", nicknamed 'Snow'.
_QUOTE_OPEN, _QUOTE_CLOSE = "「『\"'“‘", "」』\"'”’"
_NICKNAME_AFTER_RE = re.compile(r"\s?(?:って|と)(?:呼ばれ|よばれ|呼んで|よんで|いう(?:あだ名|名前|人))|"
                                r"\s?\(?(?:as|like) (?:we|they|everyone|people) call (?:him|her|them)|"
                                r"\s?is (?:his|her|their|my) nickname")
_NICKNAME_BEFORE_RE = re.compile(r"(?i:nicknamed|known as|(?:we|they|everyone|people) (?:call|calls)"
                                 r"(?: him| her| them| me)?)\s?$")


def _nickname(original: str, start: int, end: int) -> bool:
    """True when the hit is quoted and said to be what someone is called."""
    if start == 0 or end >= len(original) or original[start - 1] not in _QUOTE_OPEN or \
            original[end] not in _QUOTE_CLOSE:
        return False
    return (_NICKNAME_AFTER_RE.match(original, end + 1) is not None
            or _NICKNAME_BEFORE_RE.search(original[max(0, start - 32):start - 1]) is not None)


def _named(original: str, start: int, end: int) -> bool:
    """True when the hit is the name of a pet, boat, horse or band just named before it."""
    m = _NAMED_RE.search(original[max(0, start - _NAMED_SPAN):start])
    if m is None:
        return False
    if m.group("how"):
        return True  # "named Blue Ice", "boat 'White Line'": the name, whatever its case
    return m.group("noun").islower() and original[start:end][:1].isupper()


def _prop(lower: str, start: int) -> bool:
    """True when the hit follows a prop word in a post about props for film, TV or the stage."""
    return (_PROP_BEFORE_RE.search(lower[max(0, start - 24):start]) is not None
            and _PROP_TRADE_RE.search(lower) is not None)


def namesake(original: str, start: int, end: int, key: str) -> bool:
    """True when the drug hit ``key`` at ``[start, end)`` of ``original`` is a name, a prop or praise."""
    lower = original.lower()
    if _named(original, start, end) or _nickname(original, start, end) or _prop(lower, start):
        return True
    return key in PRAISE_TERMS and _STREETWEAR_RE.search(lower) is not None
