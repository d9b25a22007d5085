"""Words and symbols that give a person away at a glance, per language, from
`locales/sensitive-terms.yaml` (translators extend it). Discreet mode hides button labels that
contain one; the tests hold every screen's first line to it.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

FILE = "sensitive-terms.yaml"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@dataclass(frozen=True)
class Terms:
    symbols: tuple[str, ...] = ()
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def found(self, text: str, lang: str) -> str | None:
        """The first sensitive term or symbol in `text`, read as `lang` (and English)."""
        folded = _fold(text)
        for symbol in self.symbols:
            if symbol in text:
                return symbol
        for code in (lang, "en"):
            for word in self.words.get(code, ()):
                if word in folded:
                    return word
        return None


NO_TERMS = Terms()


def load_terms(locales: Path) -> Terms:
    """The terms next to the catalogs; none (and a warning) if the file is missing or broken."""
    path = locales / FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return NO_TERMS
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        log.warning("sensitive terms not read from %s: %s", path, type(exc).__name__)
        return NO_TERMS
    if not isinstance(data, dict):
        return NO_TERMS
    symbols = tuple(str(s) for s in data.get("symbols") or () if s)
    words = {
        str(code): tuple(_fold(str(w)) for w in values if w)
        for code, values in data.items()
        if code != "symbols" and isinstance(values, list)
    }
    return Terms(symbols, words)
