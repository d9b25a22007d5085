"""The languages the tests cover, read from the registry (never written out by hand)."""

from __future__ import annotations

from bot.config import shipped_locales
from bot.i18n import languages

REGISTRY = languages.shipped()
# Every registered language whose catalog ships (English needs none), in the registry's order.
SHIPPED = [
    lang.code for lang in REGISTRY
    if lang.code == languages.SOURCE_LANGUAGE or (shipped_locales() / lang.catalog).is_dir()
]
TRANSLATED = [code for code in SHIPPED if code != languages.SOURCE_LANGUAGE]
RTL = [code for code in SHIPPED if REGISTRY.languages[code].rtl]
