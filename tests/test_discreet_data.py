"""The shipped data that discreet mode relies on: discreet names, icons and the sensitive terms."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TERMS_FILE = ROOT / "locales" / "sensitive-terms.yaml"
DIRECTORY_FILE = ROOT / "resources.yaml"


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


TERMS: dict[str, list[str]] = _load(TERMS_FILE)
DIRECTORY: dict[str, Any] = _load(DIRECTORY_FILE)
LANGUAGES: list[str] = DIRECTORY["languages"]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _telling(lang: str, text: str) -> list[str]:
    found = [t for t in TERMS.get(lang, []) if _norm(t) in _norm(text)]
    return found + [s for s in TERMS["symbols"] if s in text]


def test_every_directory_language_and_the_symbols_have_a_list() -> None:
    assert TERMS["symbols"]
    for lang in LANGUAGES:
        assert TERMS.get(lang), f"no sensitive terms for {lang}"


def test_terms_are_plain_unique_strings() -> None:
    for key, entries in TERMS.items():
        assert all(isinstance(e, str) and e.strip() == e and e for e in entries), key
        normalised = [_norm(e) for e in entries]
        assert len(normalised) == len(set(normalised)), f"duplicate entry under {key}"


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
        icon = category.get("icon", "")
        assert not [s for s in TERMS["symbols"] if s in icon], category["id"]


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
        assert not _telling(lang, text) + _telling("en", text), f"{resource['id']} {lang}: {text}"
