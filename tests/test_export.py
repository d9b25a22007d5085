"""`penah export`: a place's directory as a page to print or mirror (read here by the standard
library's HTML parser; .ci/print-check prints it with Chromium) and as text for SMS."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from bot import cli
from bot.config import shipped_locales
from bot.directory import provenance
from bot.directory.model import GLOBAL_REGION, UNDATED, DirectoryError
from bot.directory.queries import Directory
from bot.i18n.bidi import LRI, PDI, RLM, isolate_plain, mark_lines
from bot.i18n.sensitive import load_terms
from bot.i18n.translator import Catalogs
from bot.loading.validation import parse_directory
from bot.ops import export
from bot.screens import cards
from tests import tdlib
from tests.conftest import ROOT
from tests.langs import RTL, SHIPPED

TERMS = load_terms(shipped_locales())
TODAY = dt.date(2026, 12, 5)
# What makes a browser fetch something, or run something: none may stand in the page.
FETCHING_TAGS = {"script", "link", "img", "iframe", "frame", "object", "embed", "audio", "video",
                 "source", "track", "base", "form", "input", "image", "use", "picture", "portal"}
FETCHING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "action", "formaction",
                       "ping", "style", "manifest", "xlink:href"}


@dataclass
class Page(HTMLParser):
    """What the page holds, as a browser's parser reads it."""

    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    articles: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    card: list[str] = field(default_factory=list)
    _open: list[str] = field(default_factory=list)
    _article: str | None = None
    _in: str = ""

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.tags.append((tag, found))
        if tag == "article":
            self._article = found["id"]
            self.articles[found["id"]] = {"source": [], "hrefs": []}
        if tag == "section" and found.get("class") == "card":
            self._in = "card"
        if tag == "p" and found.get("class") == "source":
            self._in = "source"
        if tag == "a" and self._in == "source" and self._article:
            self.articles[self._article]["hrefs"].append(found["href"])
        if tag == "li" and self._in == "card":
            self.card.append("")
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article = None
        if tag in ("section", "p") and self._in:
            self._in = ""
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "style":
            self.styles.append(data)
        if self._in == "source" and self._article:
            self.articles[self._article]["source"].append(data)
        if self._in == "card" and "li" in self._open:
            self.card[-1] += data

    def attribute(self, tag: str, name: str) -> list[str]:
        return [attrs[name] for t, attrs in self.tags if t == tag and name in attrs]


def read(page: str) -> Page:
    parsed = Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def places(directory: Directory) -> list[str]:
    return [r.id for r in directory.user_regions]


def page_of(directory: Directory, catalogs: Catalogs, place: str, lang: str) -> Page:
    return read(export.html(export.view_for(directory, catalogs, TERMS, place, lang), TODAY))


def directory_links(directory: Directory) -> set[str]:
    """Every link the directory holds: its entries' own, and their sources'."""
    links = {r.source.url for r in directory.data.resources}
    return links | {shown.link for r in directory.data.resources
                    for _, shown in directory.contacts(r) if shown.link}


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_page_runs_nothing_and_fetches_nothing(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    allowed = directory_links(shipped_directory)
    for place in places(shipped_directory):
        page = page_of(shipped_directory, catalogs, place, lang)
        names = {tag for tag, _ in page.tags}
        assert names & FETCHING_TAGS == set(), place
        assert all(set(attrs) & FETCHING_ATTRIBUTES == set() for _, attrs in page.tags), place
        assert [tag for tag, attrs in page.tags if "href" in attrs and tag != "a"] == []
        hrefs = page.attribute("a", "href")
        assert len(hrefs) > 5
        strangers = [h for h in hrefs if h not in allowed and not re.fullmatch(r"tel:\+?\d+", h)]
        assert strangers == [], (place, strangers)
        style = " ".join(page.styles).lower()
        assert style and "url(" not in style and "@import" not in style
        policies = [attrs.get("content", "") for tag, attrs in page.tags if tag == "meta"
                    and attrs.get("http-equiv", "").lower() == "content-security-policy"]
        assert len(policies) == 1 and "default-src 'none'" in policies[0]
        assert "script-src" not in policies[0] and "refresh" not in str(page.tags).lower()
        prefetch = [attrs.get("content") for tag, attrs in page.tags if tag == "meta"
                    and attrs.get("http-equiv", "").lower() == "x-dns-prefetch-control"]
        assert prefetch == ["off"], "no browser looks up the links' names before one is followed"


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_page_carries_its_date_and_every_entrys_source_and_date(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    d, t = shipped_directory, catalogs.get(lang)
    for place in places(d):
        page = page_of(d, catalogs, place, lang)
        assert page.attribute("time", "datetime") == [TODAY.isoformat()]
        topics = {c.id for c in d.data.categories if not c.advice}
        listed = {r.id for r in d.data.resources if set(r.categories) & topics
                  and (place in r.regions or GLOBAL_REGION in r.regions)}
        assert set(page.articles) == listed, place
        for ident, found in page.articles.items():
            resource = d.resources[ident]
            source, said = resource.source, tdlib.without_marks("".join(found["source"]))
            assert source.url in found["hrefs"], (place, ident)
            day = (t.date(source.read) if source.dated == UNDATED
                   else provenance.page_date(t, source.dated))
            assert day in said, (place, ident, said)


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_page_runs_right_to_left_in_right_to_left_languages(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    page = page_of(shipped_directory, catalogs, "iq-kr", lang)
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag == {"lang": lang, "dir": "rtl" if lang in RTL else "ltr"}
    numbers = page.attribute("bdi", "dir")
    assert len(numbers) > 10 and set(numbers) == {"ltr"}, "every number reads left to right"


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_card_holds_only_the_numbers_to_keep_and_neutral_purposes(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    languages = catalogs.get(lang).fallback
    for place in places(shipped_directory):
        view = export.view_for(shipped_directory, catalogs, TERMS, place, lang)
        page = read(export.html(view, TODAY))
        wanted = cards.numbers(view, place, neutral=True)
        assert page.card == [f"{n.display} {n.purpose}" for n in wanted], place
        assert [line for line in page.card if TERMS.found(line, *languages)] == []


# What a directory's texts could carry to take over the page, if they were not text.
HOSTILE = ('</title><script>fetch("https://evil.example/1")</script>'
           '<style>*{background:url(https://evil.example/2)}</style>'
           '<meta http-equiv="refresh" content="0;url=https://evil.example/3">'
           '"><img src=https://evil.example/4 onerror=alert(1)> &lt;b&gt; &#60;i&#62; ]]> <!--')
HOSTILE_LINK = 'https://evil.example/a"onmouseover="alert(1)"><script>x</script>'


def hostile(lang: str) -> Directory:
    """A directory whose every text is an attack, in the page's language, and whose links
    carry quotes and tags (a link with a quote still passes the https:// check)."""
    text = {"en": f"en {HOSTILE}", lang: f"{lang} {HOSTILE}"}
    source = {"url": HOSTILE_LINK, "dated": "undated", "read": "2026-11-01"}
    resource = {
        "id": "line", "operator": "ngo", "categories": ["emergency"], "regions": ["iq-kr"],
        "name": text, "summary": text, "caution": text, "source": source,
        "contacts": [{"type": "phone", "value": "0750 000 0000", "label": text, "hours": text},
                     {"type": "website", "value": HOSTILE_LINK, "label": text}],
    }
    data = {"version": 1, "languages": sorted({"en", lang}),
            "regions": [{"id": "iq-kr", "country": "IQ", "name": text}],
            "categories": [{"id": "emergency", "emergency": True, "name": text}],
            "resources": [resource]}
    return parse_directory(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize("lang", SHIPPED)
def test_a_hostile_directorys_texts_and_links_stay_text_in_the_page(
    lang: str, catalogs: Catalogs
) -> None:
    written = export.html(export.view_for(hostile(lang), catalogs, TERMS, "iq-kr", lang), TODAY)
    page = read(written)
    assert [tag for tag, _ in page.tags if tag in ("script", "img", "style", "meta")] == [
        "meta", "meta", "meta", "meta", "meta", "style"], "the template's own, no other"
    assert [name for _, attrs in page.tags for name in attrs if name.startswith("on")] == []
    assert set(page.attribute("a", "href")) == {HOSTILE_LINK, "tel:+9647500000000"}
    assert "<!--" not in written and "]]>" not in written
    shown = tdlib.without_marks(re.sub(r"<[^>]*>", " ", written))
    assert shown.count("evil.example/4") >= 6, "each text shown as it was written"


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "data:text/html,<script>x</script>", "http://example.org/",
    "https://example.org/a b", "//evil.example",
])
def test_a_link_that_is_not_https_never_reaches_the_page(link: str) -> None:
    source = {"url": "https://example.org/list", "dated": "undated", "read": "2026-11-01"}
    data = {"version": 1, "languages": ["en"],
            "regions": [{"id": "iq-kr", "country": "IQ", "name": {"en": "Kurdistan Region"}}],
            "categories": [{"id": "emergency", "emergency": True, "name": {"en": "Emergency"}}],
            "resources": [{"id": "line", "operator": "ngo", "categories": ["emergency"],
                           "regions": ["iq-kr"], "name": {"en": "A line"}, "source": source,
                           "summary": {"en": "A test line."},
                           "contacts": [{"type": "website", "value": link}]}]}
    with pytest.raises(DirectoryError, match="https://"):
        parse_directory(yaml.safe_dump(data))


# --------------------------------------------------------------------------- text for SMS


@pytest.mark.parametrize(("written", "parts"), [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("€" * 80, 1), ("€" * 81, 2),  # the extension table's characters take two septets
    ("a" * 152 + "€" + "a" * 152, 3),  # and are not split between two parts
    ("ع" * 70, 1), ("ع" * 71, 2), ("ع" * 134, 2), ("ع" * 135, 3),  # UCS-2: 67 a part
    ("a" * 159 + "ê", 3),  # one character outside GSM-7 makes the whole text UCS-2
    ("😀" * 35, 1), ("😀" * 36, 2), ("a" * 66 + "😀" + "a" * 66, 3),  # two UTF-16 units each
])
def test_sms_parts_are_counted_as_phones_split_them(written: str, parts: int) -> None:
    assert export.sms_parts(written) == parts


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_text_of_every_place_fits_five_sms_parts_and_opens_neutrally(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    t = catalogs.get(lang)
    for place in places(shipped_directory):
        view = export.view_for(shipped_directory, catalogs, TERMS, place, lang)
        written = export.text(view, TODAY)
        assert export.sms_parts(written) <= export.SMS_PARTS, place
        assert TERMS.found(tdlib.without_marks(written)[:64], *t.fallback) is None
        lines = written.splitlines()
        assert tdlib.without_marks(lines[0]) == t.gettext(cards.KEEP)
        assert lines[-1].strip(RLM + LRI + PDI) == TODAY.isoformat()
        numbers = [n.display for n in cards.numbers(view, place, neutral=True)]
        shown = [line for line in lines[2:-1]]
        assert len(shown) == len(numbers), (place, "nothing dropped while it fits")
        for line, number in zip(shown, numbers, strict=True):
            whole = f"{RLM}{LRI}{number}{PDI} " if lang in RTL and not number.isdigit() else None
            assert line.startswith(whole or (RLM if lang in RTL else "") + number + " "), line


def crowded(count: int) -> Directory:
    """A place with more numbers to keep than five SMS parts hold (clearly fake ones)."""
    source = {"url": "https://example.org/list", "dated": "undated", "read": "2026-11-01"}
    resources = [{
        "id": f"line-{i:02d}", "operator": "ngo", "categories": ["emergency"], "regions": ["iq-kr"],
        "name": {"en": f"Line {i:02d} for questions about documents", "ar": f"الخط {i:02d}"},
        "summary": {"en": "A test line."}, "source": source,
        "contacts": [{"type": "phone", "value": f"0750 000 00{i:02d}"}],
    } for i in range(count)]
    data = {"version": 1, "languages": ["en", "ar"],
            "regions": [{"id": "iq-kr", "country": "IQ", "name": {"en": "Kurdistan Region"}}],
            "categories": [{"id": "emergency", "emergency": True, "name": {"en": "Emergency"}}],
            "resources": resources}
    return parse_directory(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize("lang", SHIPPED)
def test_a_place_with_no_number_says_so_in_the_message_the_text_and_the_card(
    lang: str, catalogs: Catalogs
) -> None:
    """Not "write them down" over nothing, not an empty card."""
    view = export.view_for(crowded(0), catalogs, TERMS, "iq-kr", lang)
    none_yet, t = view.ui(cards.NONE_YET), view.t
    kept = cards.kept(view, "iq-kr")
    assert kept is not None
    message = tdlib.without_marks(tdlib.parse_html(kept.text).text)
    assert message.endswith(tdlib.without_marks(none_yet))
    assert tdlib.without_marks(t.gettext(cards.NO_INTERNET)) not in message
    text_lines = tdlib.without_marks(export.text(view, TODAY)).splitlines()
    assert text_lines[2] == t.gettext(cards.NONE_YET)
    assert read(export.html(view, TODAY)).card == [t.gettext(cards.NONE_YET)]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_what_does_not_fit_goes_the_date_first_then_numbers_from_the_end(
    lang: str, catalogs: Catalogs
) -> None:
    directory = crowded(30)
    view = export.view_for(directory, catalogs, TERMS, "iq-kr", lang)
    numbers = cards.numbers(view, "iq-kr", neutral=True)
    everything = [n.display for n in numbers]
    written = export.text(view, TODAY)
    assert export.sms_parts(written) <= export.SMS_PARTS
    kept = [n for n in everything if n in written]
    assert 2 < len(kept) < len(everything)
    assert TODAY.isoformat() not in written, "the date went before the first number did"
    assert kept == everything[: len(kept)], "the first of the list are kept, in order"
    following = f"{numbers[len(kept)].display} {numbers[len(kept)].purpose}"
    if lang in RTL:
        following = mark_lines(isolate_plain(following))
    assert export.sms_parts(f"{written}{following}\n") > export.SMS_PARTS, "as many as fit"


# --------------------------------------------------------------------------- the command


def test_penah_export_writes_a_file_or_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = str(ROOT / "resources.yaml")
    page = tmp_path / "iq-kr.ar.html"
    argv = ["export", "--place", "iq-kr", "--lang", "ar", "--resources", resources]
    assert cli.main([*argv, "--format", "html", "-o", str(page)]) == 0
    assert read(page.read_text(encoding="utf-8")).attribute("time", "datetime") == [
        dt.date.today().isoformat()]
    assert cli.main([*argv, "--format", "txt"]) == 0
    out = capsys.readouterr().out
    assert export.sms_parts(out) <= export.SMS_PARTS and "119" in out
    assert cli.main(["export", "--place", "global", "--lang", "ar", "--resources", resources]) == 2
    assert "iq-kr" in capsys.readouterr().err, "the places it has are named"


def test_penah_export_replaces_a_file_whole_readable_and_names_a_path_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """For an admin, in English: the file's contents are the other tests' concern."""
    argv = ["export", "--place", "iq-kr", "--lang", "ar", "--resources",
            str(ROOT / "resources.yaml"), "--format", "txt", "-o"]
    page = tmp_path / "card.txt"
    page.write_text("the list printed last month\n", encoding="utf-8")
    with monkeypatch.context() as disk:
        disk.setattr(os, "replace", disk_full)
        assert cli.main([*argv, str(page)]) == 1
    assert page.read_text(encoding="utf-8") == "the list printed last month\n", "never half"
    assert [p.name for p in tmp_path.iterdir()] == ["card.txt"], "no temporary file left"
    assert cli.main([*argv, str(page)]) == 0
    assert export.sms_parts(page.read_text(encoding="utf-8")) <= export.SMS_PARTS
    assert stat.S_IMODE(page.stat().st_mode) == 0o666 & ~current_umask(), "as any file made"
    capsys.readouterr()
    for unwritable in (tmp_path / "no-such-folder" / "card.txt", tmp_path):
        assert cli.main([*argv, str(unwritable)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"penah: cannot write {unwritable}: ") and "Traceback" not in err


def disk_full(*paths: object) -> None:
    raise OSError(28, "No space left on device")


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_the_page_template_and_style_ship_with_the_package() -> None:
    """The container image installs the package, not this checkout."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["bot.ops"]
    beside = {p.name for p in export.HERE.iterdir() if p.suffix in (".html", ".css")}
    assert beside and beside <= set(shipped)
