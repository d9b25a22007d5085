"""One loose search key per word, the same for the index and every query: Kurdish letters typed
on Arabic keyboards, missing hamza and accents, three scripts of digits all meet. It is lossy (ة
and ە both become ه): for finding, never shown."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.directory.model import Guide, Resource

# Zero-width and direction marks: people paste them in with text copied from elsewhere.
_FORMAT: dict[int, str | None] = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, 0x061C, 0x00AD, 0x0640,  # + tatweel
     *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_FORMAT |= {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_FORMAT |= {0x066B: ".", 0x066C: ","}  # Arabic decimal and thousands separators

# After NFD and mark removal, the loose Arabic-script key: Kurdish and Persian letters typed on
# an Arabic keyboard, and the Arabic spellings people use interchangeably, meet on one letter.
_ARABIC = str.maketrans({
    "ی": "ي", "ى": "ي", "ې": "ي", "ێ": "ي", "ے": "ي",  # ya, alef maksura, Kurdish ê
    "ک": "ك", "ڪ": "ك", "گ": "ك",  # kaf (and gaf, often typed as kaf in Iraq)
    "ە": "ه", "ة": "ه", "ھ": "ه",  # Kurdish ae, ta marbuta, heh doachashmee
    "ۆ": "و", "ۇ": "و",  # Kurdish o
    "ڵ": "ل", "ڕ": "ر", "ڒ": "ر",  # Kurdish velarised l, trilled r
    "ڤ": "ف", "پ": "ب", "چ": "ج", "ژ": "ز",  # Persian/Kurdish letters missing on keyboards
    "ٱ": "ا",  # alef wasla (the other alef forms lose their hamza or madda mark in NFD)
    "ء": None,  # a lone hamza: لاجئ, لاجىء and لاجي meet
})
_LATIN = {"ı": "i", "ø": "o", "æ": "ae", "’": None, "'": None, "`": None}
# Combining marks, dropped after NFD: Arabic harakat, hamza and madda on alef, Latin accents.
_MARKS = {c: None for c in (*range(0x0300, 0x2100), *range(0xFE20, 0xFE30))
          if unicodedata.category(chr(c)) == "Mn"}
_LETTERS = _ARABIC | str.maketrans(_LATIN) | _MARKS
_KURDISH_CARRIER = re.compile(r"(?<!\w)ئ")  # the vowel seat Kurdish words begin with
_REPEATS = re.compile(r"(\w)\1{2,}")  # heeelp, ساعدوووني
# The article and the prepositions glued to it: المحامي, والمحامي, بالمحكمة, للاجئين.
_ARTICLE = re.compile(r"(?<!\w)(?:[وبفك]ال|لل|ال)(?=[\u0600-\u06ff]{2})")
_WORD = re.compile(r"[^\W_]{2,}|\d")


def fold(text: str) -> str:
    """The loose search key of a text: lower-case, unaccented, one letter per sound."""
    text = unicodedata.normalize("NFKC", text).translate(_FORMAT).casefold()
    text = unicodedata.normalize("NFD", _KURDISH_CARRIER.sub("", text)).translate(_LETTERS)
    return _REPEATS.sub(r"\1", text).replace("وو", "و")


def words(folded: str) -> list[str]:
    """The words of a folded text, Arabic articles removed; single letters dropped."""
    return _WORD.findall(_ARTICLE.sub("", folded))


def tokens(text: str) -> list[str]:
    return words(fold(text))


def piece_words(
    resources: Sequence[Resource], guides: Iterable[Guide]
) -> dict[str, dict[str, list[int]]]:
    """One file's words, each with its entries numbered from 0 (resources, then guides): worked
    out by the file's reader child, so a reload folds only the changed file, off the bot."""
    folded = functools.cache(tokens)  # each spelling folded once per file: words repeat
    strong: defaultdict[str, list[int]] = defaultdict(list)
    text: defaultdict[str, list[int]] = defaultdict(list)

    def add(target: dict[str, list[int]], texts: Iterable[str], doc: int) -> None:
        for word in {word for t in texts for chunk in t.split() for word in folded(chunk)}:
            target[word].append(doc)

    for doc, resource in enumerate(resources):
        add(strong, resource.name.values(), doc)
        add(text, [*resource.summary.values(), *(resource.caution or {}).values()], doc)
    for doc, guide in enumerate(guides, len(resources)):
        add(strong, guide.question.values(), doc)
        add(text, guide.answer.values(), doc)
    return {"strong": dict(strong), "text": dict(text)}


def within_one_edit(a: str, b: str) -> bool:
    """True if one insertion, deletion, substitution or swap of neighbours turns a into b."""
    a, b = sorted((a, b), key=len)
    if len(b) - len(a) > 1:
        return False
    i = next((n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    swapped = a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]
    return swapped or a[i + 1 :] == b[i + 1 :]


def deletions(word: str) -> set[str]:
    """The word with one letter left out, each way: keys of the typo index."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
