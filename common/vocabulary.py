"""The vocabulary of spelled alphanumerics: spelling alphabets, digit words and repeaters.

One home for the words an officer spells a plate or a licence with. The recogniser's
constrained spelling pass may emit only these words (``voice.spelling``), and the lookup
parser reads them back into characters (``lookup.spoken``); both read these tables, so a
word the parser understands is never one the recogniser is forbidden to write. Keys are
lower case without hyphens ("xray"); :func:`spelling_words` gives the written forms.
"""

from __future__ import annotations

# ICAO/NATO with common spellings Whisper writes.
NATO: dict[str, str] = {
    "alpha": "A",
    "alfa": "A",
    "bravo": "B",
    "charlie": "C",
    "charley": "C",
    "delta": "D",
    "echo": "E",
    "foxtrot": "F",
    "golf": "G",
    "hotel": "H",
    "india": "I",
    "juliet": "J",
    "juliett": "J",
    "juliette": "J",
    "kilo": "K",
    "lima": "L",
    "mike": "M",
    "november": "N",
    "oscar": "O",
    "papa": "P",
    "quebec": "Q",
    "romeo": "R",
    "sierra": "S",
    "tango": "T",
    "uniform": "U",
    "victor": "V",
    "whiskey": "W",
    "whisky": "W",
    "xray": "X",
    "yankee": "Y",
    "zulu": "Z",
}
# APCO Project 14 and the LAPD radio alphabet (they share most words).
APCO: dict[str, str] = {
    "adam": "A",
    "boy": "B",
    "charles": "C",
    "david": "D",
    "edward": "E",
    "frank": "F",
    "george": "G",
    "henry": "H",
    "ida": "I",
    "john": "J",
    "king": "K",
    "lincoln": "L",
    "mary": "M",
    "nora": "N",
    "ocean": "O",
    "peter": "P",
    "queen": "Q",
    "roger": "R",
    "sugar": "S",
    "tom": "T",
    "union": "U",
    "william": "W",
    "young": "Y",
    "zebra": "Z",
}
LAPD: dict[str, str] = {
    "paul": "P",
    "robert": "R",
    "sam": "S",
    "nancy": "N",
    "ocean": "O",
    "edward": "E",
    "yellow": "Y",
    "x": "X",
    "zed": "Z",
    "zee": "Z",
}
# Where two alphabets share a word, NATO's letter wins, then APCO's.
ALPHABET_WORDS: dict[str, str] = {**LAPD, **APCO, **NATO}
DIGIT_WORDS: dict[str, str] = {
    "zero": "0",
    "oh": "0",
    "nought": "0",
    "naught": "0",
    "nil": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "tree": "3",
    "four": "4",
    "fower": "4",
    "five": "5",
    "fife": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "niner": "9",
}
# "Double six", "triple oh": the next symbol said two or three times.
REPEATERS: dict[str, int] = {"double": 2, "triple": 3, "treble": 3}
# Keys written with a hyphen in running text.
_WRITTEN = {"xray": "x-ray"}


def spelling_words() -> list[str]:
    """Every spelling word in lower case, as written (both "xray" and "x-ray"), in a stable order:
    the alphabet words, the digit words and the repeaters."""
    words: dict[str, None] = {}
    for word in (*ALPHABET_WORDS, *DIGIT_WORDS, *REPEATERS):
        words[word] = None
        if word in _WRITTEN:
            words[_WRITTEN[word]] = None
    return list(words)
