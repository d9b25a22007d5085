"""The shipped data that discreet mode relies on: discreet names, icons and the sensitive terms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.i18n.sensitive import GRAMMAR, fold, load_terms

ROOT = Path(__file__).resolve().parent.parent
TERMS_FILE = ROOT / "locales" / "sensitive-terms.yaml"
DIRECTORY_FILE = ROOT / "resources.yaml"


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=yaml.CSafeLoader)


RAW: dict[str, Any] = _load(TERMS_FILE)
TERMS: dict[str, list[str]] = {k: v for k, v in RAW.items() if k != GRAMMAR}
MATCHER = load_terms(TERMS_FILE.parent)
DIRECTORY: dict[str, Any] = _load(DIRECTORY_FILE)
LANGUAGES: list[str] = DIRECTORY["languages"]


def _telling(lang: str, text: str) -> str | None:
    return MATCHER.found(text, lang)


def test_every_directory_language_and_the_symbols_have_a_list_and_a_grammar() -> None:
    assert TERMS["symbols"]
    for lang in LANGUAGES:
        assert TERMS.get(lang), f"no sensitive terms for {lang}"
        assert MATCHER.grammars[lang].endings, f"no endings for {lang}'s phrases"


def test_terms_are_plain_unique_strings() -> None:
    for key, entries in TERMS.items():
        assert all(isinstance(e, str) and e.strip() == e and e for e in entries), key
        normalised = [fold(e) for e in entries]
        assert len(normalised) == len(set(normalised)), f"duplicate entry under {key}"


def test_grammar_entries_are_plain_strings() -> None:
    for lang, parts in RAW[GRAMMAR].items():
        assert set(parts) <= {"prefixes", "endings", "linking"}, lang
        for name, affixes in parts.items():
            assert all(isinstance(a, str) and a.strip() == a and a for a in affixes), (lang, name)


# How people write what gives them away, per language: phrases whose words carry their
# language's endings and ezafe, possessives between them, and organisation names. Each must
# be found, read in its own language.
TELLING = {
    "en": ["my intimate images", "private photos of me", "Kaos GL", "SPoD", "Helem",
           "IraQueer", "Rainbow Railroad"],
    "ar": ["صوري الحميمة", "الصور الخاصة بي", "صورك العارية", "SPoD – خط الاستشارات",
           "منظمة حلم Helem"],
    "ckb": ["وێنە تایبەتییەکانم", "وێنەی تایبەتی خۆم", "وێنە ڕووتەکانم", "Kaos GL لە تورکیا"],
    "ku": ["wêneyên min ên taybet", "wêneyên taybet", "wêneya min a tazî",
           "SPoD – Xeta şêwirdariyê"],
    "ku-Arab": ["وێنەیێن من یێن تایبەت", "وێنەیێن تایبەت", "وێنەیێ تە یێ رووت", "IraQueer"],
}
# Ordinary texts that share a stem or a word with a term: never telling.
ORDINARY = {
    "en": ["translated people", "private hospital photos", "a photo of my passport",
           "family tracing"],
    "ar": ["صورة جواز السفر", "مستشفى خاص", "تصوير المستندات الخاصة بالإقامة"],
    "ckb": ["وێنەی پاسپۆرت", "نەخۆشخانەی تایبەت", "وێنەگری تایبەت بە هاوسەرگیری"],
    "ku": ["wêneyê pasaportê", "nexweşxaneya taybet", "wênegirê taybet"],
    "ku-Arab": ["وێنەیێ پاسپۆرتێ", "نەخۆشخانەیا تایبەت"],
}


def test_every_language_has_telling_and_ordinary_examples() -> None:
    assert set(TELLING) == set(ORDINARY) == set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_terms_match_through_endings_ezafe_and_possessives_and_name_the_organisations(
    lang: str,
) -> None:
    missed = [text for text in TELLING[lang] if not MATCHER.found(text, lang)]
    assert missed == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_listed_term_is_found_as_written_inside_a_sentence(lang: str) -> None:
    """One search per language rules a text out before the terms are tried: it must never
    rule out a text holding one of them, at the start, in the middle or before punctuation."""
    missed = [term for term in TERMS[lang]
              if MATCHER.found(f"{term}، ... ({term}) - {term}", lang) is None]
    assert missed == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ordinary_words_sharing_a_stem_are_not_telling(lang: str) -> None:
    assert [(t, MATCHER.found(t, lang)) for t in ORDINARY[lang] if MATCHER.found(t, lang)] == []


def test_a_text_shown_from_a_fallback_language_is_read_in_that_language() -> None:
    arabic_name = "SPoD – خط الاستشارات لأفراد مجتمع الميم"
    without_name = arabic_name.split("–")[1]
    assert MATCHER.found(without_name, "ku-Arab") is None  # not Badini words
    assert MATCHER.found(without_name, "ku-Arab", "ar") is not None


def test_the_identity_symbols_the_directory_used_to_show_are_listed() -> None:
    for symbol in ("🏳️‍🌈", "🏳️‍⚧️", "⚧", "♀", "♂", "💜", "🌈"):
        assert any(s in symbol or symbol in s for s in TERMS["symbols"]), symbol


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_terms_catch_the_plain_names_of_the_sensitive_categories(lang: str) -> None:
    categories = {c["id"]: c for c in DIRECTORY["categories"]}
    for cid in ("lgbtiq", "gbv", "safety-blackmail"):
        assert _telling(lang, categories[cid]["name"][lang]), f"{cid} name in {lang}"


def test_every_category_has_a_discreet_name_in_every_language() -> None:
    for category in DIRECTORY["categories"]:
        names = category.get("discreet_name") or {}
        missing = [lang for lang in LANGUAGES if lang not in names]
        assert not missing, f"{category['id']} has no discreet name in {missing}"


def test_discreet_names_name_no_sensitive_topic() -> None:
    for category in DIRECTORY["categories"]:
        for lang, name in category["discreet_name"].items():
            assert not _telling(lang, name), f"{category['id']} {lang}: {name}"


def test_no_category_icon_is_an_identity_symbol() -> None:
    for category in DIRECTORY["categories"]:
        assert _telling("en", category.get("icon", "")) is None, category["id"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cautions_shown_on_the_emergency_screen_are_written_and_name_no_sensitive_topic(
    lang: str,
) -> None:
    """The Emergency screen shows each line's caution to whoever glances at the phone: it must
    be there in the reader's language (not an Arabic sentence in a Badini card) and tell nobody
    what the person is."""
    emergency = next(c["id"] for c in DIRECTORY["categories"] if c.get("emergency"))
    callable_at_once = {"phone", "whatsapp", "telegram"}  # what the Emergency screen lists
    for resource in DIRECTORY["resources"]:
        listed = callable_at_once & {contact["type"] for contact in resource["contacts"]}
        if emergency not in resource["categories"] or not listed or "caution" not in resource:
            continue
        text = resource["caution"].get(lang)
        assert text, f"{resource['id']} has no {lang} caution"
        assert _telling(lang, text) is None and _telling("en", text) is None, (
            f"{resource['id']} {lang}: {text}")


def test_a_badini_screen_showing_kurmanji_is_read_in_kurmanji_too() -> None:
    """Badini falls back to Kurmanji as well as Arabic: a Kurmanji text on its screen is read
    with Kurmanji's terms and endings."""
    kurmanji = "wêneyên min ên taybet"
    assert MATCHER.found(kurmanji, "ku-Arab") is None  # not Badini words
    assert MATCHER.found(kurmanji, "ku-Arab", "ku") is not None
