"""The index of typed search: every searchable word of one directory, and how a query scores.

The query lives only in a call to `Index.search`: nothing here stores, counts or logs it.

Scoring is simple and explainable. A word of the query matches words of the index exactly,
inflected (the index word begins it: lawyers, پارێزەرەکەم, avukata), cut short (it begins the
index word) or with one typo; each match is worth its field's weight: names, guide questions,
category names and the admins' keywords count three times a word of a summary or an answer.
An entry scores the best of its own words plus the best of its categories, per query word.
Words found in a quarter or more of the entries are left out of summaries and answers, which
keeps "I need", «أريد» and «دەمەوێت» from matching everything without a stop-word list.
"""

from __future__ import annotations

import functools
import heapq
import logging
import math
import operator
import re
from array import array
from dataclasses import dataclass
from enum import Enum

from . import danger
from .config import shipped_locales
from .danger import Danger, DangerWords
from .model import GLOBAL_REGION, Category
from .queries import Directory, Rank
from .searchbuild import PREFIX, TYPO_LENGTH, Entry, Hit, Tables, tables_for, typo_table
from .textfold import deletions, fold, tokens, within_one_edit, words

log = logging.getLogger(__name__)

MAX_RESULTS = 8
MAX_QUERY_CHARS = 200
MAX_DANGER_CHARS = 4096  # Telegram's longest message: danger is heard in all of it
MAX_WORDS = 12
STRONG, TEXT = 3.0, 1.0
EXACT, INFLECTED, CLITIC, PARTIAL, TYPO = 1.0, 0.85, 0.8, 0.7, 0.7
COMMON_SHARE = 0.25
CATEGORY_SPREAD = 4
ASKED = STRONG * TYPO
KEEP_SHARE = 0.35  # entries scoring under this share of the best are noise, not results

_PHONE = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_COORDINATES = re.compile(r"-?\d{1,3}\.\d{2,}\s*[,;،؛\s]\s*-?\d{1,3}\.\d{2,}")
_LINK_OR_EMAIL = re.compile(r"://|www\.|\w@\w|\bt\.me/|\bgoo\.gl/|\bmaps\.", re.IGNORECASE)
_ARABIC_CLITICS = "وبلف"


class Outcome(Enum):
    DANGER = "danger"  # the message speaks of danger: something to call first (`danger.py`)
    EMERGENCY = "emergency"  # words of the emergency category ("ambulance", «إسعاف»)
    FOUND = "found"
    NOTHING = "nothing"
    REFUSED = "refused"  # a phone number, a location, a link or a long message: not searched


@dataclass(frozen=True)
class Found:
    outcome: Outcome
    hits: tuple[Hit, ...] = ()
    category: str | None = None  # the category matched best, to open in full
    urgent: bool = False  # words of the emergency category too: its button comes first
    danger: Danger | None = None  # the kind of danger the message speaks of

    @property
    def found(self) -> bool:
        return self.outcome is not Outcome.NOTHING and self.outcome is not Outcome.REFUSED


def refused(text: str) -> bool:
    """A phone number, a place, a link or a long message: answered kindly and not searched."""
    if len(text) > MAX_QUERY_CHARS:
        return True
    folded = fold(text)  # Arabic-Indic and Persian digits become ASCII first
    for match in _PHONE.finditer(folded):
        if sum(c.isdigit() for c in match.group()) >= 7:
            return True
    return bool(_COORDINATES.search(folded) or _LINK_OR_EMAIL.search(folded))


@functools.cache
def shipped_danger_words() -> DangerWords:
    """The danger words shipped with the bot, read once. A broken file is logged and leaves
    typed search without them rather than stopping the bot; the tests keep it whole."""
    path = shipped_locales() / danger.FILE
    try:
        return danger.load_danger(path)
    except danger.DangerFileError as error:
        log.error("danger words not loaded: %s", error)
        return danger.NO_WORDS


class Topics:
    """The categories' words: names, keywords and phrases. Small, and kept from the previous
    index while the categories are the same objects (their file unchanged)."""

    def __init__(self, given: tuple[Category, ...]) -> None:
        self.source = given
        categories: dict[str, dict[str, float]] = {}
        # A phrase by its first word: (the category, the whole phrase).
        self.phrases: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for category in given:
            terms = [*category.name.values(), *(k for ks in category.keywords.values() for k in ks)]
            for term in terms:
                found = tokens(term)
                if len(found) > 1:
                    self.phrases.setdefault(found[0], []).append((category.id, tuple(found)))
                # A one-word keyword is the admins' word for the category; the words of a
                # phrase ("they took my phone") only point to it, and the phrase counts whole.
                weight = STRONG if len(found) == 1 else TEXT
                for word in found:
                    if len(found) > 1 and len(word) < 3:
                        continue
                    mine = categories.setdefault(word, {})
                    mine[category.id] = max(mine.get(category.id, 0.0), weight)
        # A word of many categories' names and phrases ("my", "support") tells none apart.
        self.words = {
            w: tuple(c.items()) for w, c in categories.items() if len(c) < CATEGORY_SPREAD
            or any(v == STRONG for v in c.values())
        }
        # The categories' words have prefix and typo tables of their own; the entries' words
        # have theirs in the index's tables, kept up to date file by file.
        self.starts: dict[str, list[str]] = {}
        for word in categories:
            if len(word) > PREFIX:
                self.starts.setdefault(word[:PREFIX], []).append(word)
        self.typos = typo_table(categories)
        self.known = frozenset(categories)


class Index:
    """Every searchable word of one directory, folded, with the entries it points to."""

    tables: Tables
    topics: Topics

    def __init__(
        self,
        directory: Directory,
        previous: Index | None = None,
        danger_words: DangerWords | None = None,
    ) -> None:
        # No reference to the directory itself: the index must not keep an old one alive.
        self.danger_words = danger_words if danger_words is not None else (
            shipped_danger_words())
        emergency = directory.emergency_category
        self.emergency = emergency.id if emergency else None
        self.category_ids = frozenset(directory.categories)
        self.tables = tables = tables_for(directory, previous.tables if previous else None)
        self.strong, self.text = tables.strong, tables.text
        self.starts, self.typos = tables.starts, tables.typos
        self.entries: dict[int, Entry] = {}
        orders: dict[int, tuple[Rank, str]] = {}  # display order, then id
        places = [r.id for r in directory.user_regions]
        everywhere: list[int] = []
        visible: dict[str, list[int]] = {place: [] for place in places}
        members: dict[str, list[int]] = {}
        segments = [(tables.bases[p], s) for p, s in tables.segments.items()]
        for base, segment in segments:
            numbered = range(base, base + len(segment.entries))
            self.entries.update(zip(numbered, segment.entries, strict=True))
            orders.update(zip(numbered, segment.orders, strict=True))
            for category_id, docs in segment.categories.items():
                members.setdefault(category_id, []).extend(map(base.__add__, docs))
            for region, docs in segment.regions.items():
                numbers = map(base.__add__, docs)
                if region == GLOBAL_REGION:
                    everywhere.extend(numbers)
                else:
                    visible.setdefault(region, []).extend(numbers)
        # Sets, so that narrowing many matches to a place or a category is done in C.
        self.visible = {place: frozenset((*docs, *everywhere)) if place in places else
                        frozenset(docs) for place, docs in visible.items()}
        self.members = {category_id: frozenset(docs) for category_id, docs in members.items()}
        # Each entry's position in display order, which breaks ties between equal scores: the
        # pieces' orders merged step by step (one sort of them all would hold the interpreter
        # lock, and with it the event loop, for tens of milliseconds).
        runs = [map(base.__add__, segment.in_order) for base, segment in segments]
        merged = heapq.merge(*runs, key=orders.__getitem__)
        self.position = {doc: n for n, doc in enumerate(merged)}
        del orders
        # Each category's entries for each place (global ones included), best first: sets
        # intersected and sorted in C, one list at a time.
        self.by_category: dict[tuple[str, str | None], list[int]] = {}
        for category_id, held in self.members.items():
            self.by_category[category_id, None] = sorted(held, key=self.position.__getitem__)
            for place, shown in self.visible.items():
                found = held & shown
                if found:
                    self.by_category[category_id, place] = sorted(
                        found, key=self.position.__getitem__)
        self.count = len(self.entries)
        # Words found in a quarter or more of the entries say nothing in a summary or answer.
        self.common = max(5, int(self.count * COMMON_SHARE))

        given = tuple(directory.data.categories)
        kept = previous.topics if previous is not None else None
        same = kept is not None and len(kept.source) == len(given) and all(
            a is b for a, b in zip(kept.source, given, strict=True))
        self.topics = topics = kept if same and kept is not None else Topics(given)
        self.phrases, self.categories = topics.phrases, topics.words
        self.category_words = topics.known
        self.category_starts, self.category_typos = topics.starts, topics.typos

    def known(self, word: str) -> bool:
        return (
            word in self.strong
            or (word in self.text and len(self.text[word]) <= self.common)
            or word in self.category_words
        )

    def rarity(self, word: str) -> float:
        """Rarer words weigh more: "lawyer" over "how", «محامي» over «كيف»."""
        held = len(self.strong.get(word, ())) + len(self.text.get(word, ()))
        return math.log(1 + (self.count + 1) / (held or 1)) / math.log(2 + self.count)

    # ---- matching one word
    def expand(self, word: str) -> dict[str, float]:
        """The index words a query word stands for, each with how sure the match is."""
        found: dict[str, float] = {}
        if self.known(word):
            found[word] = EXACT
        if word.isdigit() or len(word) < 4:
            return found
        # The index word begins the query word, and the rest is an ending of up to four letters.
        for end in range(len(word) - 1, max(3, len(word) - 5), -1):
            if self.known(word[:end]):
                found.setdefault(word[:end], INFLECTED)
        start = word[:PREFIX]
        begun = [w for w in (*self.starts.get(start, ()), *self.category_starts.get(start, ()))
                 if w.startswith(word) and self.known(w)]
        for other in sorted(begun, key=lambda w: (len(w), w))[:8]:  # the query word begins them
            found.setdefault(other, PARTIAL)
        for key in (word, *deletions(word)) if len(word) >= TYPO_LENGTH else ():
            for table in (self.typos, self.category_typos):
                near = table.get(key, ())
                for other in (near,) if isinstance(near, str) else near:
                    if other not in found and within_one_edit(word, other):
                        found[other] = TYPO
        if len(word) >= 5 and word[0] in _ARABIC_CLITICS:  # و/ب/ل/ف glued to the word
            rest = word[1:]
            if self.known(rest):
                found.setdefault(rest, CLITIC)
        return found

    # ---- a query
    def search(self, query: str, region: str | None) -> Found:
        # Danger is heard in the whole message before anything else, even in one too long to
        # search or holding a phone number: it is read here and nowhere kept.
        spotted = danger.spot(self.danger_words, query) if len(query) <= MAX_DANGER_CHARS else None
        if spotted is not None:
            return self._danger(spotted, region)
        if refused(query):
            return Found(Outcome.REFUSED)
        query_words = list(dict.fromkeys(words(fold(query))))[:MAX_WORDS]
        if not query_words:
            return Found(Outcome.NOTHING)
        hits, category, urgent = self._rank(query_words, region)
        if urgent and category is None:  # "ambulance", «پۆلیس», «یارمەتی یاسایی»
            hits, category, _ = self._rank(query_words, region, beside_emergency=True)
            return Found(Outcome.EMERGENCY, hits, category)
        if not hits and category is None:
            return Found(Outcome.NOTHING)
        return Found(Outcome.FOUND, hits, category, urgent=urgent)

    def _danger(self, spotted: danger.Spotted, region: str | None) -> Found:
        """The Emergency screen first, what the message's other words ask for beside it.

        A general cry beside a topic the directory has ("help me find a lawyer", «ساعدني
        بالتسجيل») is a request: that topic is answered, with the Emergency button first.
        """
        rest = list(dict.fromkeys(spotted.rest))[:MAX_WORDS]
        if spotted.kind is Danger.GENERAL:
            hits, category, _ = self._rank(rest, region)
            if category is not None:
                return Found(Outcome.FOUND, hits, category, urgent=True, danger=spotted.kind)
        hits, category, _ = self._rank(rest, region, beside_emergency=True)
        return Found(Outcome.DANGER, hits, category, danger=spotted.kind)

    def _rank(
        self, query: list[str], region: str | None, *, beside_emergency: bool = False
    ) -> tuple[tuple[Hit, ...], str | None, bool]:
        """The best entries for this place, the topic the query matched best, and whether it
        also asked for the emergency category ("ambulance", «پۆلیس»).

        Names, questions, categories and keywords come first; the words of summaries and
        answers fill the list only when those leave room, which also keeps a query over a
        large directory from walking thousands of summaries.
        """
        expanded = [self.expand(word) for word in query]
        # Words for the emergency category ("police", «یارمەتی», "call the police") say it
        # is urgent; they do not rank the rest, which the Emergency screen already covers.
        calling = [self._calls_for_emergency(matches) for matches in expanded]
        for start, word in enumerate(query):
            for category_id, phrase in self.phrases.get(word, ()):
                if category_id == self.emergency and _at(query, start, phrase):
                    calling[start : start + len(phrase)] = [True] * len(phrase)
        urgent = any(calling)
        expanded = [{} if call else m for m, call in zip(expanded, calling, strict=True)]
        category_scores = self._category_scores(query, expanded)
        category_scores.pop(self.emergency or "", None)
        # A category counts as asked for through one of its keywords or a whole phrase, not
        # through a word of its name alone («كيف» of «كيف تكتشف الاحتيال»); beside a danger
        # word any word of a topic says what the help is for: «یارمەتی یاسایی», legal aid.
        floor = TEXT if beside_emergency else ASKED
        asked = {c: s for c, s in category_scores.items() if s >= floor and c in self.category_ids}
        category = max(asked, key=asked.__getitem__, default=None)
        strong = self._score(expanded, STRONG, self.strong, self.count)
        totals = self._totals(strong, category_scores, region)
        # Entries matched through their category alone score alike: each category's first
        # entries for this place, in the directory's order, are all that can make the list.
        for category_id, bonus in sorted(asked.items(), key=lambda c: -c[1]):
            taken = 0
            for doc in self.by_category.get((category_id, region), ()):
                if doc not in totals:
                    totals[doc] = bonus
                    taken += 1
                    if taken == MAX_RESULTS:
                        break
        if len(totals) < MAX_RESULTS:
            text = self._score(expanded, TEXT, self.text, self.common)
            text = self._totals(text, category_scores, region)
            for doc, score in text.items():
                totals[doc] = max(totals.get(doc, 0.0), score)
        # Best score first, then the directory's own order; C-level iterators for large lists.
        scores, ranks = map(operator.neg, totals.values()), map(self.position.__getitem__, totals)
        chosen = heapq.nsmallest(MAX_RESULTS, zip(scores, ranks, totals, strict=True))
        if not chosen:
            return (), category, urgent
        enough = chosen[0][0] * KEEP_SHARE
        hits = tuple(self.entries[doc].hit for score, _, doc in chosen if score <= enough)
        return hits, category, urgent

    def _calls_for_emergency(self, matches: dict[str, float]) -> bool:
        return any(
            category_id == self.emergency and weight == STRONG
            for other, sure in matches.items()
            if sure >= INFLECTED
            for category_id, weight in self.categories.get(other, ())
        )

    def _category_scores(
        self, query: list[str], expanded: list[dict[str, float]]
    ) -> dict[str, float]:
        scores: dict[str, float] = {}
        for matches in expanded:
            best: dict[str, float] = {}
            for other, sure in matches.items():
                for category_id, weight in self.categories.get(other, ()):
                    if best.get(category_id, 0.0) < weight * sure:
                        best[category_id] = weight * sure
            for category_id, score in best.items():
                scores[category_id] = scores.get(category_id, 0.0) + score
        for start, word in enumerate(query):  # a whole phrase of a category: "legal aid"
            for category_id, phrase in self.phrases.get(word, ()):
                if _at(query, start, phrase):
                    scores[category_id] = scores.get(category_id, 0.0) + STRONG
        return scores

    def _score(
        self,
        expanded: list[dict[str, float]],
        weight: float,
        postings: dict[str, array[int]],
        most: int,
    ) -> dict[int, float]:
        """Per entry, the sum over query words of the best match of each word (words held by
        more than `most` entries left out)."""
        total: dict[int, float] | None = None
        for matches in expanded:
            ranked = sorted(
                ((weight * self.rarity(t) * sure, t) for t, sure in matches.items()
                 if 0 < len(postings.get(t, ())) <= most),
                reverse=True,
            )
            best: dict[int, float] = {}
            for score, term in ranked:  # dict operations in C: large postings stay cheap
                fresh = dict.fromkeys(postings[term], score)
                fresh.update(best)  # a better match of the same word wins
                best = fresh
            if total is None:
                total = best
                continue
            for doc, score in best.items():
                total[doc] = total.get(doc, 0.0) + score
        return total or {}

    def _totals(
        self, scores: dict[int, float], category_scores: dict[str, float], region: str | None
    ) -> dict[int, float]:
        """Scores of the entries shown in this place, plus their best category's score."""
        shown = scores.keys() & self.visible[region] if region in self.visible else scores.keys()
        out = {doc: scores[doc] for doc in shown}
        for category_id, bonus in sorted(category_scores.items(), key=lambda c: c[1]):
            for doc in shown & self.members.get(category_id, frozenset()):
                out[doc] = scores[doc] + bonus  # ascending, so the best category wins
        return out


def _at(query: list[str], start: int, phrase: tuple[str, ...]) -> bool:
    return tuple(query[start : start + len(phrase)]) == phrase
