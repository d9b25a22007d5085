"""Typed search's index and scoring. The query lives only in a call to `Index.search`: nothing
here stores, counts or logs it. Names, questions, categories and keywords weigh three times a
summary's words; a word in a quarter of the entries is left out of summaries («أريد», "I need")."""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import chain

from bot.directory.model import GLOBAL_REGION, Category, Guide, Resource
from bot.directory.queries import Directory, Rank, searchable
from bot.search import danger
from bot.search.danger import Danger, DangerWords
from bot.search.fold import deletions, fold, piece_words, tokens, within_one_edit, words

MAX_RESULTS = 8
PREFIX = 4  # a word cut short must keep this many letters
TYPO_LENGTH = 5  # one typo in a shorter word makes another word too often (اسري, اخري, يسري)
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
Postings = dict[str, "array[int]"]  # each word's entries, in order


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str  # "resource" or "guide"
    id: str


class Answer(Enum):
    DANGER = "danger"  # the message speaks of danger: something to call first (`danger.py`)
    EMERGENCY = "emergency"  # words of the emergency category ("ambulance", «إسعاف»)
    FOUND = "found"
    NOTHING = "nothing"
    REFUSED = "refused"  # a phone number, a location, a link or a long message: not searched


@dataclass(frozen=True)
class Found:
    outcome: Answer
    hits: tuple[Hit, ...] = ()
    category: str | None = None  # the category matched best, to open in full
    urgent: bool = False  # words of the emergency category too: its button comes first
    danger: Danger | None = None  # the kind of danger the message speaks of

    @property
    def found(self) -> bool:
        return self.outcome not in (Answer.NOTHING, Answer.REFUSED)


def refused(text: str) -> bool:
    """A phone number, a place, a link or a long message: answered kindly and not searched."""
    if len(text) > MAX_QUERY_CHARS:
        return True
    folded = fold(text)  # Arabic-Indic and Persian digits become ASCII first
    phone = any(sum(c.isdigit() for c in m.group()) >= 7 for m in _PHONE.finditer(folded))
    return phone or bool(_COORDINATES.search(folded) or _LINK_OR_EMAIL.search(folded))


class Topics:
    def __init__(self, given: tuple[Category, ...]) -> None:
        categories: dict[str, dict[str, float]] = {}
        self.phrases: dict[str, list[tuple[str, tuple[str, ...]]]] = {}  # by its first word
        for category in given:
            for term in [*category.name.values(), *chain.from_iterable(category.keywords.values())]:
                found = tokens(term)
                if len(found) > 1:
                    self.phrases.setdefault(found[0], []).append((category.id, tuple(found)))
                # A one-word keyword names the category; a phrase's words only point to it.
                weight = STRONG if len(found) == 1 else TEXT
                for word in (w for w in found if weight == STRONG or len(w) >= 3):
                    mine = categories.setdefault(word, {})
                    mine[category.id] = max(mine.get(category.id, 0.0), weight)
        # A word of many categories' names and phrases ("my", "support") tells none apart.
        self.words = {w: tuple(c.items()) for w, c in categories.items()
                      if len(c) < CATEGORY_SPREAD or STRONG in c.values()}
        self.known = frozenset(categories)


class Index:
    """Every searchable word of one directory, folded, with the entries it points to. It keeps
    no reference to the directory, so a replaced directory is freed with its index."""

    def __init__(self, directory: Directory) -> None:
        emergency = directory.emergency_category
        self.emergency = emergency.id if emergency else None
        # Entry numbers in arrays: one object per word for the garbage collector, not one per entry.
        self.strong: Postings = {}
        self.text: Postings = {}
        self.hits: list[Hit] = []
        ranks: list[tuple[Rank, int]] = []
        places: dict[str, set[int]] = {}
        members: dict[str, set[int]] = {}
        hidden: set[int] = set()
        for piece in directory.pieces:
            base = len(self.hits)
            entries: list[Resource | Guide] = [*piece.resources, *piece.guides]
            for entry in entries:
                doc = len(self.hits)
                if isinstance(entry, Resource):
                    ranks.append((directory.rank(entry), doc))
                    self.hits.append(Hit("resource", entry.id))
                else:
                    order = entry.order if entry.order is not None else 1000
                    ranks.append(((order, 2, 0, 9, entry.question["en"].casefold(), entry.id), doc))
                    self.hits.append(Hit("guide", entry.id))
                if isinstance(entry, Resource) and not searchable(entry):
                    hidden.add(doc)  # closed: in no place and no category, never found
                    continue
                for region in entry.regions:
                    places.setdefault(region, set()).add(doc)
                for category_id in entry.categories:
                    members.setdefault(category_id, set()).add(doc)
            words = piece.words or piece_words(piece.resources, piece.guides)  # None: no child
            _post(words["strong"], base, self.strong)
            _post(words["text"], base, self.text)
        self.position = [0] * len(self.hits)  # in display order: breaks ties between scores
        for n, (_, doc) in enumerate(sorted(ranks)):
            self.position[doc] = n
        self.count = len(self.hits)
        self.hidden = frozenset(hidden)
        self.common = max(5, int(self.count * COMMON_SHARE))  # more say nothing in a summary
        self.topics = Topics(tuple(directory.data.categories))
        self.starts: dict[str, list[str]] = {}  # by its first letters, a word cut short
        for word in {*self.strong, *self.text, *self.topics.known}:
            if len(word) > PREFIX:
                self.starts.setdefault(word[:PREFIX], []).append(word)
        self.typos: dict[str, tuple[str, ...]] = {}  # each word under itself and each deletion
        for word in {*self.strong, *self.topics.known}:
            if len(word) >= TYPO_LENGTH - 1 and not word.isdigit():
                for key in (word, *deletions(word)):
                    self.typos[key] = (*self.typos.get(key, ()), word)
        everywhere = places.get(GLOBAL_REGION, set())
        self.visible = {r.id: frozenset(places.get(r.id, set()) | everywhere)
                        for r in directory.user_regions}
        self.members = {category_id: frozenset(docs) for category_id, docs in members.items()}

    def known(self, word: str) -> bool:
        return (word in self.strong or word in self.topics.known
                or 0 < len(self.text.get(word, ())) <= self.common)

    def rarity(self, word: str) -> float:
        """Rarer words weigh more: "lawyer" over "how", «محامي» over «كيف»."""
        held = len(self.strong.get(word, ())) + len(self.text.get(word, ()))
        return math.log(1 + (self.count + 1) / (held or 1)) / math.log(2 + self.count)

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
        begun = [w for w in self.starts.get(word[:PREFIX], ())  # the query word begins them
                 if w.startswith(word) and self.known(w)]
        for other in sorted(begun, key=lambda w: (len(w), w))[:8]:
            found.setdefault(other, PARTIAL)
        for key in (word, *deletions(word)) if len(word) >= TYPO_LENGTH else ():
            for other in self.typos.get(key, ()):
                if other not in found and within_one_edit(word, other):
                    found[other] = TYPO
        if len(word) >= 5 and word[0] in _ARABIC_CLITICS and self.known(word[1:]):  # و/ب/ل/ف
            found.setdefault(word[1:], CLITIC)
        return found

    def search(self, query: str, region: str | None, danger_words: DangerWords) -> Found:
        # Danger is heard first, in the whole message, even one refused: and it is kept nowhere.
        spotted = danger.spot(danger_words, query) if len(query) <= MAX_DANGER_CHARS else None
        if spotted is not None:
            return self._danger(spotted, region)
        if refused(query):
            return Found(Answer.REFUSED)
        query_words = list(dict.fromkeys(words(fold(query))))[:MAX_WORDS]
        if not query_words:
            return Found(Answer.NOTHING)
        hits, category, urgent = self._rank(query_words, region)
        if urgent and category is None:  # "ambulance", «پۆلیس», «یارمەتی یاسایی»
            hits, category, _ = self._rank(query_words, region, beside_emergency=True)
            return Found(Answer.EMERGENCY, hits, category)
        if not hits and category is None:
            return Found(Answer.NOTHING)
        return Found(Answer.FOUND, hits, category, urgent=urgent)

    def _danger(self, spotted: danger.Spotted, region: str | None) -> Found:
        """The Emergency screen first, what the other words ask for beside it. A general cry
        beside a topic ("help me find a lawyer") is answered with that topic, Emergency first;
        words that ask for no topic add nothing (they could name a group never spoken of)."""
        rest = list(dict.fromkeys(spotted.rest))[:MAX_WORDS]
        if spotted.kind is Danger.GENERAL:
            hits, category, _ = self._rank(rest, region)
            if category is not None:
                return Found(Answer.FOUND, hits, category, urgent=True, danger=spotted.kind)
        hits, category, _ = self._rank(rest, region, beside_emergency=True)
        return Found(Answer.DANGER, hits if category else (), category, danger=spotted.kind)

    def _rank(
        self, query: list[str], region: str | None, *, beside_emergency: bool = False
    ) -> tuple[tuple[Hit, ...], str | None, bool]:
        """The best entries for this place, the topic matched best, and whether the query asked
        for the emergency category. Summaries and answers fill the list only when names,
        questions and categories leave room, so a query does not walk thousands of summaries."""
        expanded = [self.expand(word) for word in query]
        # Words for the emergency category ("police", «یارمەتی») say it is urgent, ranking nothing.
        calling = [self._calls_for_emergency(matches) for matches in expanded]
        for start, category_id, size in self._phrases(query):
            if category_id == self.emergency:
                calling[start : start + size] = [True] * size
        urgent = any(calling)
        expanded = [{} if call else m for m, call in zip(expanded, calling, strict=True)]
        category_scores = self._category_scores(query, expanded)
        category_scores.pop(self.emergency or "", None)
        # A category is asked for by a keyword or a whole phrase, not a word of its name alone
        # («كيف» of «كيف تكتشف الاحتيال»); beside danger any of its words: «یارمەتی یاسایی».
        floor = TEXT if beside_emergency else ASKED
        asked = {c: score for c, score in category_scores.items() if score >= floor}
        category = max(asked, key=asked.__getitem__, default=None)
        strong = self._score(expanded, STRONG, self.strong, self.count)
        totals = self._totals(strong, category_scores, region)
        # Entries matched by their category alone score alike: only its first ones can be listed.
        for category_id, bonus in sorted(asked.items(), key=lambda c: -c[1]):
            held = self.members.get(category_id, frozenset())
            if region is not None:
                held &= self.visible.get(region, frozenset())
            fresh = sorted(held - totals.keys(), key=self.position.__getitem__)
            totals.update(dict.fromkeys(fresh[:MAX_RESULTS], bonus))
        if len(totals) < MAX_RESULTS:
            text = self._score(expanded, TEXT, self.text, self.common)
            text = self._totals(text, category_scores, region)
            for doc, score in text.items():
                totals[doc] = max(totals.get(doc, 0.0), score)
        chosen = heapq.nsmallest(MAX_RESULTS, totals, key=lambda d: (-totals[d], self.position[d]))
        enough = totals[chosen[0]] * KEEP_SHARE if chosen else 0.0
        return tuple(self.hits[doc] for doc in chosen if totals[doc] >= enough), category, urgent

    def _calls_for_emergency(self, matches: dict[str, float]) -> bool:
        return any(category_id == self.emergency and weight == STRONG
                   for other, sure in matches.items() if sure >= INFLECTED
                   for category_id, weight in self.topics.words.get(other, ()))

    def _category_scores(
        self, query: list[str], expanded: list[dict[str, float]]
    ) -> dict[str, float]:
        scores: dict[str, float] = {}
        for matches in expanded:
            best: dict[str, float] = {}
            for other, sure in matches.items():
                for category_id, weight in self.topics.words.get(other, ()):
                    best[category_id] = max(best.get(category_id, 0.0), weight * sure)
            for category_id, score in best.items():
                scores[category_id] = scores.get(category_id, 0.0) + score
        for _, category_id, _ in self._phrases(query):
            scores[category_id] = scores.get(category_id, 0.0) + STRONG
        return scores

    def _phrases(self, query: list[str]) -> Iterator[tuple[int, str, int]]:
        """Where a whole phrase of a category ("legal aid") begins, its category and length."""
        for start, word in enumerate(query):
            for category_id, phrase in self.topics.phrases.get(word, ()):
                if tuple(query[start : start + len(phrase)]) == phrase:
                    yield start, category_id, len(phrase)

    def _score(
        self, expanded: list[dict[str, float]], weight: float, postings: Postings, most: int
    ) -> dict[int, float]:
        """Per entry, the sum of each query word's best match (words in over `most` entries out)."""
        total: dict[int, float] = {}
        for matches in expanded:
            ranked = sorted((weight * self.rarity(t) * sure, t) for t, sure in matches.items()
                            if 0 < len(postings.get(t, ())) <= most)
            best: dict[int, float] = {}
            for score, term in ranked:  # the best match of the word last, so it wins
                best.update(dict.fromkeys(postings[term], score))  # in C: long postings stay cheap
            for doc, score in best.items():
                total[doc] = total.get(doc, 0.0) + score
        return total

    def _totals(
        self, scores: dict[int, float], category_scores: dict[str, float], region: str | None
    ) -> dict[int, float]:
        """Scores of the entries shown in this place, plus their best category's score."""
        shown = (scores.keys() & self.visible[region] if region in self.visible
                 else scores.keys() - self.hidden)
        out = {doc: scores[doc] for doc in shown}
        for category_id, bonus in sorted(category_scores.items(), key=lambda c: c[1]):
            for doc in shown & self.members.get(category_id, frozenset()):
                out[doc] = scores[doc] + bonus  # ascending, so the best category wins
        return out


def _post(words: Mapping[str, Sequence[int]], base: int, table: Postings) -> None:
    """A file's words, its entries numbered from `base`: postings stay in order."""
    for word, docs in words.items():
        held = memoryview(docs).cast("I") if isinstance(docs, bytes) else docs  # packed by a reader
        table.setdefault(word, array("I")).extend(map(base.__add__, held))

