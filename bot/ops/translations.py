"""`penah i18n`: per language, UI messages and directory texts translated, and what is wrong,
as `file:line: language: what`. Errors (exit 1) would show a broken, unsafe or misleading screen:
a catalog or locale file the bot cannot use, a term terms.yaml rules out, a caution missing or
not in its language, a range a right-to-left screen shows split or reversed. Warnings (a header
unlike CLDR's, a name falling back) do not fail; texts awaiting review are counted.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.config import locale_file
from bot.directory.model import DirectoryError, shown_language
from bot.directory.queries import Directory
from bot.i18n import languages, sensitive
from bot.i18n.bidi import LRI, PDI, RANGE_DASH, TIME, isolate_plain
from bot.i18n.translator import DOMAIN, catalog_files, read_catalog
from bot.loading.reader import files_of, read_file
from bot.loading.reloader import load_directory
from bot.loading.validation import Loader, decode, scan
from bot.printable import printable
from bot.search.danger import danger_words_in

# Each check: what it finds, and whether it fails (None: listed only with --verbose).
CHECKS: dict[str, tuple[str, bool | None]] = {
    "terms": ("terms ruled out by terms.yaml", True),
    "cautions": ("cautions falling back or not in the language", True),
    "ranges": ("time or date ranges split or reversed right to left", True),
    "names": ("region or category names falling back", False),
    "review": ("entries awaiting a speaker's review (--verbose lists them)", None),
}
# A range bidi keeps as one run, and two times or dates it leaves as two runs with only a dash
# it does not join between them: right to left, those two show end first.
_RANGE = re.compile(f"({TIME}){RANGE_DASH}({TIME})")
_VALUE = r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}"
_SPLIT = re.compile(
    f"{LRI}(?:{_VALUE}){PDI}\\s*[-\u2010-\u2015\u2212\u0640~]+\\s*{LRI}(?:{_VALUE}){PDI}"
)
Key = tuple[str | int, ...]


def _strings(value: Any) -> tuple[str, ...]:  # one form, or one per plural
    return tuple(value) if isinstance(value, tuple | list) else (str(value),)


def coverage(catalog: Catalog, template: Catalog) -> tuple[int, int, list[Message]]:
    """(translated, of how many, the fuzzy messages) of the template: fuzzy ones do not count."""
    wanted = [m for m in template if m.id]
    done = sum(bool(message and not message.fuzzy and all(_strings(message.string)))
               for message in (catalog.get(m.id, context=m.context) for m in wanted))
    return done, len(wanted), [m for m in catalog if m.id and m.fuzzy]


def _msgfmt(paths: list[Path]) -> tuple[list[str], str | None]:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return [], "msgfmt (GNU gettext) not found: its --check was skipped"
    runs = [subprocess.run(  # noqa: S603 - a fixed program on our own files
        [msgfmt, "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True,
        check=False) for path in paths]
    return [run.stderr.strip() for run in runs if run.returncode], None


@dataclass(frozen=True)
class Finding:
    file: Path
    line: int
    language: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.language}: {self.what}"


def _mappings(resources: Path) -> Iterator[tuple[Path, int, Key, str, dict[str, yaml.Node]]]:
    """(file, line, path, id of its entry, fields) of every mapping in the directory's files."""
    folder = resources if resources.is_dir() else None
    for file in files_of(resources):
        try:
            text = decode(read_file(file, folder), str(file))  # a pipe or /dev/zero is refused
            scan(text, str(file))
            root = yaml.compose(text, Loader=Loader)
        except (yaml.YAMLError, DirectoryError):
            continue  # the directory line of the report says why
        ids: dict[Key, str] = {}
        seen: set[int] = set()
        stack: list[tuple[Key, yaml.Node | None]] = [((), root)]
        while stack:
            path, node = stack.pop()
            if node is None or id(node) in seen:
                continue  # an alias: read where it was anchored
            seen.add(id(node))
            if isinstance(node, yaml.SequenceNode):
                stack += [((*path, i), item) for i, item in enumerate(node.value)]
            elif isinstance(node, yaml.MappingNode):
                fields = {str(k.value): v for k, v in node.value}
                if len(path) == 2 and isinstance(fields.get("id"), yaml.ScalarNode):
                    ids[path] = str(fields["id"].value)
                yield file, node.start_mark.line + 1, path, ids.get(path[:2], "?"), fields
                stack += [((*path, k), v) for k, v in fields.items()]


def _gaps(texts: Mapping[str, tuple[int, str]], codes: Sequence[str],
          registry: languages.Registry, *, whole: bool) -> Iterator[tuple[str, int | None, str]]:
    """(language, line, what) for each of `codes` a text falls back in or, if `whole`, is not
    written in: none of the language's letters, or another's text in its script copied."""
    plain = {code: text for code, (_, text) in texts.items()}
    for code in codes:
        language = registry.get(code)
        if language is None or code == languages.SOURCE_LANGUAGE:
            continue
        if code not in texts:
            yield code, None, f"falls back to {shown_language(plain, language.chain)}"
            continue
        line, text = texts[code]
        if not whole or not language.letters:
            continue
        if not set(text) & set(language.letters):
            yield code, line, f"has none of the letters {' '.join(language.letters)}"
        for other, same in plain.items():
            script = getattr(registry.get(other), "script", None)
            if other != code and same == text and script == language.script:
                yield code, line, f"is the {other} text"


def _range_problems(text: str, english: str) -> Iterator[str]:
    """What a right-to-left screen, its runs isolated, shows wrong in a range of `text`."""
    shown = isolate_plain(text)
    for split in _SPLIT.finditer(shown):
        bare = split.group(0).replace(LRI, "").replace(PDI, "")
        yield (f"{bare!r} shows as two runs, end first: put a word between them (إلى, هەتا) "
               "or write a time range 8:00–18:00")
    source = set(_RANGE.findall(english))
    for start, end in _RANGE.findall(shown):
        if (end, start) in source and (start, end) not in source:
            yield f"{start}–{end} reads the other way round from the English {end}–{start}"


def _checks(registry: languages.Registry, catalogs: Mapping[str, tuple[Path, Catalog]],
            directory: Directory | None, resources: Path,
            table: sensitive.TermsTable | None) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {name: [] for name in CHECKS}
    texts = [  # (file, line, language, text, the English it translates)
        (path, m.lineno or 0, code, "\n".join(_strings(m.string)), "\n".join(_strings(m.id)))
        for code, (path, catalog) in catalogs.items() for m in catalog if m.id and m.string]
    codes = directory.data.languages if directory else list(catalogs)
    for file, line, path, entry, fields in _mappings(resources):
        review = fields.get("unreviewed")
        if len(path) == 2 and isinstance(review, yaml.SequenceNode):
            found["review"] += [
                Finding(file, code.start_mark.line + 1, str(code.value), f"{entry} in {path[0]}")
                for code in review.value if isinstance(code, yaml.ScalarNode)]
        source = fields.get(languages.SOURCE_LANGUAGE)
        if not isinstance(source, yaml.ScalarNode):
            continue  # not a text
        written = {code: (node.start_mark.line + 1, str(node.value))
                   for code, node in fields.items() if isinstance(node, yaml.ScalarNode)}
        texts += [(file, at, code, text, str(source.value)) for code, (at, text) in written.items()]
        field = path[-1]
        kind = "cautions" if field == "caution" else "names" if path[0] in (
            "regions", "categories") and field in ("name", "discreet_name") else None
        if kind:
            for code, at, what in _gaps(written, codes, registry, whole=kind == "cautions"):
                found[kind].append(Finding(file, at or line, code, f"{field} of {entry} {what}"))
    for file, line, code, text, english in texts:
        found["terms"] += [Finding(file, line, code, str(v))
                           for v in (table.find(code, text) if table else ())]
        language = registry.get(code) or languages.from_cldr(code)
        if language and language.rtl:
            found["ranges"] += [Finding(file, line, code, what)
                                for what in _range_problems(text, english)]
    return found


def report(locales: Path, resources: Path, verbose: bool = False) -> tuple[str, bool]:
    """The text to print, and False on any error (see the top of this module)."""
    with locale_file(locales, f"{DOMAIN}.pot").open("rb") as fh:
        template = read_po(fh)
    try:
        registry = languages.load_registry(locales)
    except languages.RegistryError as exc:
        return f"error: {exc}", False
    directory: Directory | None = None
    try:
        directory = load_directory(resources)
    except DirectoryError as exc:
        unread = f"directory not read: {exc.problems[0]}"
    lines = [f"{'language':<10} {'UI messages':>16} {'fuzzy':>6} {'directory texts':>18}"]
    errors: list[str] = [printable(problem) for problem in registry.problems]
    warnings: list[str] = []
    texts = list(directory.texts()) if directory else []
    paths: list[Path] = []
    readings: dict[str, tuple[Path, Catalog]] = {}
    for folder, path in catalog_files(locales):
        paths.append(path)
        language = registry.by_folder(folder) or languages.from_cldr(folder.replace("_", "-"))
        if language is None:
            errors.append(f"{path}: unknown language {folder!r}")
            continue
        reading = read_catalog(path, language.locale, language.code)
        errors += map(str, reading.problems)
        warnings += map(str, reading.warnings)
        if reading.catalog is None or reading.translations is None:
            lines.append(f"{language.code:<10} {'broken':>16}")
            continue
        readings[language.code] = (path, reading.catalog)
        translated, total, fuzzy = coverage(reading.catalog, template)
        ui = f"{translated}/{total} {translated / total if total else 1.0:4.0%}"
        done = sum(language.code in text for _, text in texts)
        share = f"{done}/{len(texts)} {done / len(texts):4.0%}" if texts else "-"
        lines.append(f"{language.code:<10} {ui:>16} {len(fuzzy):>6} {share:>18}")
        lines += [f"  fuzzy: {path}:{m.lineno}: {str(m.id)[:60]!r}" for m in fuzzy]
    if directory is None:
        lines.append(unread)
    failed, note = _msgfmt(paths)
    errors += failed
    lines += [note] if note else []
    table = None
    try:
        table = sensitive.load_terms_table(locales)
    except sensitive.TermsFileError as exc:
        errors.append(str(exc))
    try:
        sensitive.read_terms(locale_file(locales, sensitive.FILE))
    except sensitive.TermsFileError as exc:
        errors.append(str(exc))
    _, danger_fault = danger_words_in(locales)
    errors += [str(danger_fault)] if danger_fault is not None else []
    found = _checks(registry, readings, directory, resources, table)
    known = directory.data.languages if directory else ()
    codes = [c for c in dict.fromkeys([*readings, *known]) if c != languages.SOURCE_LANGUAGE]
    lines.append(f"{'check':<10}" + "".join(f"{code:>8}" for code in codes))
    listed_only: list[str] = []
    for name, (what, fails) in CHECKS.items():
        counts = Counter(finding.language for finding in found[name])
        lines.append(f"{name:<10}" + "".join(f"{counts[c]:>8}" for c in codes) + f"  {what}")
        listed = [str(f) for f in sorted(found[name], key=lambda f: (str(f.file), f.line))]
        if fails:
            errors += listed
        elif fails is False:
            warnings += listed
        elif verbose:
            listed_only += [f"  {name}: {finding}" for finding in listed]
    lines += [*listed_only, *([""] if warnings or errors else [])]
    lines += [f"warning: {w}" for w in warnings] + [f"error: {e}" for e in errors]
    return "\n".join(lines), not errors
