"""The words typed search looks for in one file's entries, folded; the file's reader child
works them out, so a reload folds only the changed file's words, off the bot's process."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.directory.model import Guide, Resource
from bot.search.fold import tokens


def piece_words(
    resources: Sequence[Resource], guides: Iterable[Guide]
) -> dict[str, dict[str, list[int]]]:
    """"strong" (names, questions) and "text" (summaries, cautions, answers): each word with
    the entries holding it, numbered from 0 (resources, then guides), in order."""
    seen: dict[str, list[str]] = {}  # each spelling folded once per file: words repeat
    strong: defaultdict[str, list[int]] = defaultdict(list)
    text: defaultdict[str, list[int]] = defaultdict(list)

    def add(target: dict[str, list[int]], texts: Iterable[str], doc: int) -> None:
        found = set()
        for chunk in {chunk for t in texts for chunk in t.split()}:
            if chunk not in seen:
                seen[chunk] = tokens(chunk)
            found.update(seen[chunk])
        for word in found:
            target[word].append(doc)

    for doc, resource in enumerate(resources):
        add(strong, resource.name.values(), doc)
        add(text, [*resource.summary.values(), *(resource.caution or {}).values()], doc)
    for doc, guide in enumerate(guides, len(resources)):
        add(strong, guide.question.values(), doc)
        add(text, guide.answer.values(), doc)
    return {"strong": dict(strong), "text": dict(text)}
