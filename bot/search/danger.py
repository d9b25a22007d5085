"""Danger in what a person types, understood by meaning in every language Penah speaks.

The words are data (`locales/danger.yaml`, whose comment block explains the format to
translators); this module reads them and matches a message against them. A message is folded
as typed search folds it (`bot.search.fold`), so the index and this detector read the same
letters, and split into words with one-letter words kept (Badini «ل من ددەت»: the ل says it
is a beating). Every word of the message counts, repeated words included, in any order.

A sign is met when each of its terms is found in its own word, all within the language's
window of words; a term is a stem met with that language's prefixes and suffixes around it,
a whole word, or an Arabic root. When signs of several kinds are met, the kind listed first in
`Danger` wins: a danger to life before a danger to the body, both before blackmail, and a
general cry for help last, so that what is shown first fits the gravest thing said.

Pure: no I/O but `load_danger`, nothing kept between calls, safe to share between threads.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import accumulate, product
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bot import safeyaml
from bot.config import locale_file, shipped_locales
from bot.search.fold import fold, words

FILE = "danger.yaml"
# Affixes stacked on one word: three prefixes (و+س+ي+قتل, ال+ا+نتحار), two suffixes
# (يقتل+ون+ني, وێنە+کان+م, öldür+ecek+ler); a third suffix would multiply the stacks by forty.
MAX_PREFIXES = 3
MAX_SUFFIXES = 2
MAX_STACKS = 20_000  # forms per side of a stem: the shipped languages need a fifth of it
MIN_STEM = 3  # letters, folded: a shorter stem hides in too many ordinary words
LONG_VOWELS = "اوي"  # what Arabic noun and participle patterns put between a root's letters
MAX_WINDOW = 10
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?")
GROUP_NAME = re.compile(r"[a-z][a-z_]{0,19}")
_WORD = re.compile(r"[^\W_]+")  # as search folds words, one-letter words kept
_TERM = re.compile(r"(?P<shape>[=√]?)(?P<text>[^<>=√!|+]+)(?:<(?P<group>[^<>]+)>)?")
_ALONE = "(alone)"


class Danger(StrEnum):
    """The kinds of danger, gravest first: when a message says several, the first one wins."""

    SELF_HARM = "self_harm"
    THREAT = "threat"  # to life: someone will kill me, kidnapped, followed
    SEXUAL_VIOLENCE = "sexual_violence"
    VIOLENCE = "violence"  # beaten, hurt, at home or elsewhere
    BLACKMAIL = "blackmail"  # sextortion and leaked photos included
    GENERAL = "general"  # help me, I am in danger, SOS


_RANK = {kind: n for n, kind in enumerate(Danger)}
LANGUAGE_KEYS = frozenset({"window", "prefixes", "suffixes", "groups", *Danger})


class DangerFileError(ValueError):
    """The danger words cannot be used; the message names the file and the field."""


# ------------------------------------------------------------------------- the loaded words

Hit = tuple[int, int]  # (sign, term) met by one word


@dataclass(frozen=True, slots=True)
class Sign:
    kind: Danger
    negative: frozenset[int]  # terms that must not be found near the others
    window: int
    alone: bool  # the message holds nothing else
    wanted: tuple[int, ...]  # the terms that must be found


@dataclass(frozen=True, slots=True)
class Language:
    """One language's affixes and stems, folded, ready to match a word."""

    prefixes: Mapping[str, frozenset[str]]  # every stack of prefixes -> the groups it carries
    suffixes: Mapping[str, frozenset[str]]
    longest_prefix: int
    longest_suffix: int
    stems: Mapping[str, tuple[tuple[int, int, str | None], ...]]  # -> (sign, term, group)
    finder: re.Pattern[str]  # where a stem begins in a message: the few words worth a look

    def hits(self, word: str) -> list[Hit]:
        """The (sign, term) pairs this word meets through a stem with this language's affixes."""
        found: list[Hit] = []
        size = len(word)
        fronts = [p for p in range(min(self.longest_prefix, size - MIN_STEM) + 1)
                  if word[:p] in self.prefixes]
        backs = [s for s in range(min(self.longest_suffix, size - MIN_STEM) + 1)
                 if word[size - s :] in self.suffixes]
        for p in fronts:
            for s in backs:
                if size - p - s < MIN_STEM:
                    continue
                for sign, term, group in self.stems.get(word[p : size - s], ()):
                    if group is None or group in self.prefixes[word[:p]] or (
                        group in self.suffixes[word[size - s :]]
                    ):
                        found.append((sign, term))
        return found


@dataclass(frozen=True, slots=True)
class DangerWords:
    """Every language's danger words, immutable once loaded."""

    signs: tuple[Sign, ...] = ()
    languages: tuple[Language, ...] = ()
    exact: Mapping[str, tuple[Hit, ...]] = field(default_factory=dict)  # whole words, any language
    kinds_of: Mapping[str, frozenset[Danger]] = field(default_factory=dict)  # per language
    source: str = ""

    def kinds(self, code: str) -> frozenset[Danger]:
        """The kinds of danger a language has words for."""
        return self.kinds_of.get(code, frozenset())


NO_WORDS = DangerWords()


@dataclass(frozen=True, slots=True)
class Spotted:
    """The danger a message speaks of, and its other words (folded) to rank what is shown
    beside the answer."""

    kind: Danger
    rest: tuple[str, ...] = ()


# ------------------------------------------------------------------------- matching


def detect(vocabulary: DangerWords, text: str) -> Danger | None:
    """The gravest danger the message speaks of, or None."""
    spotted = spot(vocabulary, text)
    return spotted.kind if spotted is not None else None


def spot(vocabulary: DangerWords, text: str) -> Spotted | None:
    """As `detect`, with the words of the message that are not danger words."""
    folded = fold(text)
    spans = [(m.start(), m.group()) for m in _WORD.finditer(folded)]
    if not spans or not vocabulary.signs:
        return None
    message = [word for _, word in spans]
    found = _found(vocabulary, folded, message, [start for start, _ in spans])
    # Distances count words of two letters or more: Badini «ل من ددەت», «ب وێنەیان».
    counted = list(accumulate(len(word) > 1 for word in message))
    best: Danger | None = None
    used: set[int] = set()
    for number, terms in found.items():
        sign = vocabulary.signs[number]
        positions = _met(sign, terms, message, counted)
        if positions is None:
            continue
        used.update(positions)
        if best is None or _RANK[sign.kind] < _RANK[best]:
            best = sign.kind
    if best is None:
        return None
    rest = words(" ".join(w for n, w in enumerate(message) if n not in used))
    return Spotted(best, tuple(rest))


def _found(
    vocabulary: DangerWords, folded: str, message: Sequence[str], starts: Sequence[int]
) -> dict[int, dict[int, list[int]]]:
    """Per sign, per term, the positions of the words that meet it."""
    # Each language's stems are looked for in the whole message at once; only the words they
    # begin in are taken apart into prefixes, stem and suffixes.
    worth: dict[int, list[Language]] = {}
    for language in vocabulary.languages:
        for match in language.finder.finditer(folded):
            looked = worth.setdefault(bisect_right(starts, match.start()) - 1, [])
            if language not in looked:
                looked.append(language)
    found: dict[int, dict[int, list[int]]] = {}
    exact = vocabulary.exact
    for position, word in enumerate(message):
        hits: Sequence[Hit] = exact.get(word, ())
        languages = worth.get(position)
        if languages:
            hits = [*hits, *(hit for language in languages for hit in language.hits(word))]
        for number, term in hits:
            found.setdefault(number, {}).setdefault(term, []).append(position)
    return found


def _met(
    sign: Sign, terms: Mapping[int, list[int]], message: Sequence[str], counted: Sequence[int]
) -> tuple[int, ...] | None:
    """The positions of one way the sign is met, or None.

    Windows are tried from each word that meets a term, leftmost first, so a long message with
    a term in many words costs in proportion to its length, not to the product of the counts.
    """
    wanted = sign.wanted
    if any(n not in terms for n in wanted):
        return None
    if sign.alone:  # every word of more than one letter is one of its terms ("danger!!")
        covered = {p for n in wanted for p in terms[n]}
        if any(len(w) > 1 and n not in covered for n, w in enumerate(message)):
            return None
    avoided = [counted[p] for n in sign.negative for p in terms.get(n, ())]
    events = sorted((counted[p], p, n) for n in wanted for p in terms[n])
    for first, (low, anchor, term) in enumerate(events):
        near: dict[int, list[int]] = {n: [] for n in wanted}
        for rank, position, other in events[first:]:
            if rank > low + sign.window:
                break
            near[other].append(position)
        near[term] = [anchor]
        for positions in product(*(near[n] for n in wanted)):
            if len(set(positions)) < len(positions):
                continue
            high = max(counted[p] for p in positions)
            if any(low - sign.window <= p <= high + sign.window for p in avoided):
                continue
            return positions
    return None


# ------------------------------------------------------------------------- loading


def load_danger(path: Path) -> DangerWords:
    """The danger words in `path`; DangerFileError names the file and field of any fault.

    The caller keeps the words it had when this fails: a broken file must not leave the bot
    without them, nor stop it. Words already made from the same text are not made again.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DangerFileError(f"{path}: cannot be read: {error}") from None
    try:
        return dataclasses.replace(_made(text), source=str(path))
    except DangerFileError:
        return _parsed(text, str(path))  # raises again, naming the file


@functools.lru_cache(maxsize=8)
def _made(text: str) -> DangerWords:
    return _parsed(text, FILE)


def _parsed(text: str, source: str) -> DangerWords:
    try:
        data = safeyaml.load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        why = getattr(error, "problem", None) or type(error).__name__
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise DangerFileError(f"{source}:{where} is not valid YAML: {why}") from None
    return parse_danger(data, source)


def danger_words_in(
    locales: Path, keep: DangerWords | None = None
) -> tuple[DangerWords, DangerFileError | None]:
    """A locales folder's danger words (its own file, else the shipped one), and the fault of
    a broken file. Danger is never unheard because of a typo: the words kept before, or at
    start the shipped file's, serve until the file is fixed."""
    shipped, path = shipped_locales() / FILE, locale_file(locales, FILE)
    try:
        return load_danger(path), None
    except DangerFileError as error:
        if keep is None and path != shipped:
            with contextlib.suppress(DangerFileError):
                keep = load_danger(shipped)
        return keep or NO_WORDS, error


@functools.cache
def shipped_danger_words() -> DangerWords:
    """The shipped file's words, read once (the console and tests; the bot reads its locales)."""
    return danger_words_in(shipped_locales())[0]


def parse_danger(data: Any, source: str) -> DangerWords:
    if not isinstance(data, dict):
        raise DangerFileError(f"{source}: must be a mapping with 'window' and 'languages'")
    unknown = set(data) - {"window", "languages"}
    if unknown:
        raise DangerFileError(f"{source}: unknown key {sorted(map(str, unknown))[0]!r}")
    window = _window(data.get("window", 3), f"{source}: window")
    languages = data.get("languages")
    if not isinstance(languages, dict) or not languages:
        raise DangerFileError(f"{source}: languages: a mapping of language codes is required")
    signs: list[Sign] = []
    built = []
    exact: dict[str, list[Hit]] = {}
    kinds: dict[str, frozenset[Danger]] = {}
    for code, block in languages.items():
        where = f"{source}: languages.{code}"
        if not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code):
            raise DangerFileError(f"{where}: not a language code such as en, ar, ckb or ku-Arab")
        first = len(signs)
        built.append(_language(block, window, signs, exact, where))
        kinds[code] = frozenset(sign.kind for sign in signs[first:])
    whole = {word: tuple(dict.fromkeys(hits)) for word, hits in exact.items()}
    return DangerWords(
        tuple(signs), tuple(built), MappingProxyType(whole), MappingProxyType(kinds), source
    )


def _window(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WINDOW:
        raise DangerFileError(f"{where}: a number of words from 1 to {MAX_WINDOW}")
    return value


def _language(
    block: Any,
    window: int,
    signs: list[Sign],
    exact: dict[str, list[Hit]],
    where: str,
) -> Language:
    if not isinstance(block, dict):
        raise DangerFileError(f"{where}: must be a mapping of affixes and kinds of danger")
    unknown = sorted(str(k) for k in block if k not in LANGUAGE_KEYS)
    if unknown:
        known = ", ".join(sorted(LANGUAGE_KEYS))
        raise DangerFileError(f"{where}: unknown key {unknown[0]!r} (known: {known})")
    window = _window(block.get("window", window), f"{where}.window")
    prefix_pieces = _affixes(block.get("prefixes"), f"{where}.prefixes")
    suffix_pieces = _affixes(block.get("suffixes"), f"{where}.suffixes")
    groups = block.get("groups") or {}
    if not isinstance(groups, dict):
        raise DangerFileError(f"{where}.groups: a mapping of names to prefixes and suffixes")
    prefix_groups: dict[str, set[str]] = {}
    suffix_groups: dict[str, set[str]] = {}
    for name, sides in groups.items():
        at = f"{where}.groups.{name}"
        if not isinstance(name, str) or not GROUP_NAME.fullmatch(name):
            raise DangerFileError(f"{at}: a name in lower-case letters, such as me")
        if not isinstance(sides, dict) or set(sides) - {"prefixes", "suffixes"} or not sides:
            raise DangerFileError(f"{at}: give its prefixes and/or suffixes")
        for piece in _affixes(sides.get("prefixes"), f"{at}.prefixes"):
            prefix_groups.setdefault(piece, set()).add(name)
            prefix_pieces.append(piece)
        for piece in _affixes(sides.get("suffixes"), f"{at}.suffixes"):
            suffix_groups.setdefault(piece, set()).add(name)
            suffix_pieces.append(piece)
    stems: dict[str, list[tuple[int, int, str | None]]] = {}
    for kind in Danger:
        entries = block.get(kind.value)
        if entries is None:
            continue
        if not isinstance(entries, list) or not entries:
            raise DangerFileError(f"{where}.{kind.value}: a list of signs")
        for n, entry in enumerate(entries):
            at = f"{where}.{kind.value}[{n}]"
            if not isinstance(entry, str) or not entry.strip():
                raise DangerFileError(f"{at}: a sign is text, such as: kill + =myself")
            number = len(signs)
            sign = _sign(entry, kind, window, set(groups), at)
            signs.append(sign[0])
            for term, alternatives in enumerate(sign[1]):
                for shape, text, group in alternatives:
                    if shape == "=":
                        exact.setdefault(text, []).append((number, term))
                        continue
                    forms = _root_forms(text) if shape == "√" else (text,)
                    for form in forms:
                        stems.setdefault(form, []).append((number, term, group))
    for side, pieces, depth in (("prefixes", prefix_pieces, MAX_PREFIXES),
                                ("suffixes", suffix_pieces, MAX_SUFFIXES)):
        count = len(set(pieces))
        forms = sum(count**n for n in range(depth + 1))
        if forms > MAX_STACKS:  # every stack is built ahead, at start and on each reload
            raise DangerFileError(
                f"{where}.{side}: {count} pieces stack into {forms:,} forms, more than "
                f"{MAX_STACKS:,}: keep only the affixes its stems take")
    prefixes = _stacks(prefix_pieces, prefix_groups, MAX_PREFIXES)
    suffixes = _stacks(suffix_pieces, suffix_groups, MAX_SUFFIXES)
    return Language(
        prefixes=MappingProxyType(prefixes),
        suffixes=MappingProxyType(suffixes),
        longest_prefix=max(map(len, prefixes)),
        longest_suffix=max(map(len, suffixes)),
        stems=MappingProxyType({k: tuple(dict.fromkeys(v)) for k, v in stems.items()}),
        finder=re.compile(_any_of(stems) or "(?!)"),
    )


def _affixes(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DangerFileError(f"{where}: a list of affixes")
    out = []
    for n, piece in enumerate(value):
        folded = _one_word(piece, f"{where}[{n}]")
        out.append(folded)
    return out


def _one_word(value: Any, where: str) -> str:
    """A word as typed search reads it: folded, one word, no spaces."""
    if not isinstance(value, str):
        raise DangerFileError(f"{where}: text, in quotes if YAML reads it otherwise")
    found = _WORD.findall(fold(value))
    if len(found) != 1:
        raise DangerFileError(f"{where}: one word ({value!r}); join words of a sign with +")
    return str(found[0])


Alternative = tuple[str, str, str | None]  # (shape, folded text, group)


def _sign(
    entry: str, kind: Danger, window: int, groups: set[str], where: str
) -> tuple[Sign, list[list[Alternative]]]:
    text = entry.strip()
    alone = text.endswith(_ALONE)
    if alone:
        text = text[: -len(_ALONE)].strip()
    terms: list[list[Alternative]] = []
    negative: set[int] = set()
    for n, part in enumerate(p.strip() for p in text.split("+")):
        at = f"{where} {entry!r}"
        if part.startswith("!"):
            negative.add(n)
            part = part[1:].strip()
        alternatives = []
        for choice in (c.strip() for c in part.split("|")):
            match = _TERM.fullmatch(choice)
            if match is None:
                raise DangerFileError(
                    f"{at}: {choice!r} is not a term (a stem, =word, √root, stem<group>)")
            shape, group = match["shape"], match["group"]
            folded = _one_word(match["text"], at)
            if group is not None and group not in groups:
                raise DangerFileError(f"{at}: no affix group {group!r} in this language")
            if group is not None and shape == "=":
                raise DangerFileError(f"{at}: a whole word (=) takes no affixes: {choice!r}")
            if shape != "=" and len(folded) < MIN_STEM:
                raise DangerFileError(
                    f"{at}: the stem {choice!r} is shorter than {MIN_STEM} letters and hides "
                    "in too many ordinary words; write the whole words with = instead")
            alternatives.append((shape, folded, group))
        terms.append(alternatives)
    if len(negative) == len(terms):
        raise DangerFileError(f"{where} {entry!r}: a sign needs a term that is not negated (!)")
    if alone and negative:
        raise DangerFileError(f"{where} {entry!r}: a sign that counts alone has no ! terms")
    wanted = tuple(n for n in range(len(terms)) if n not in negative)
    return Sign(kind, frozenset(negative), window, alone, wanted), terms


def _root_forms(root: str) -> tuple[str, ...]:
    """A root's letters with at most one long vowel between two of them: √هدد gives هدد,
    تهديد's هديد, مهدود's هدود; √نتحر gives انتحار's نتحار."""
    forms = {root}
    for at in range(1, len(root)):
        forms.update(root[:at] + vowel + root[at:] for vowel in LONG_VOWELS)
    return tuple(sorted(forms))


def _stacks(
    pieces: Iterable[str], groups: Mapping[str, set[str]], depth: int
) -> dict[str, frozenset[str]]:
    """Every way of stacking up to `depth` pieces, with the groups each stack carries."""
    unique = sorted(set(pieces))
    stacks: dict[str, frozenset[str]] = {"": frozenset()}
    layer = dict(stacks)
    for _ in range(depth):
        grown: dict[str, frozenset[str]] = {}
        for stack, carried in layer.items():
            for piece in unique:
                key = stack + piece
                grown[key] = grown.get(key, frozenset()) | carried | groups.get(piece, set())
        for stack, carried in grown.items():
            stacks[stack] = stacks.get(stack, frozenset()) | carried
        layer = grown
    shared: dict[frozenset[str], frozenset[str]] = {}
    return {stack: shared.setdefault(carried, carried) for stack, carried in stacks.items()}


def _any_of(stems: Iterable[str]) -> str:
    """A pattern finding where any of the stems begins, as a tree of their letters (a stem
    that begins with a shorter one adds nothing: the word is looked at anyway)."""
    tree: dict[str, Any] = {}
    for stem in sorted(stems, key=len):
        node = tree
        for letter in stem:
            if node.get("") is not None:
                break
            node = node.setdefault(letter, {})
        else:
            node.clear()
            node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        if "" in node:
            return ""
        branches = [re.escape(letter) + pattern(child) for letter, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return pattern(tree) if tree else ""
