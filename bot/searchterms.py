"""The search words admins keep in resources.yaml, per category and language.

`keywords` are the words people type for a category: match terms only, never shown, so a list
may hold the words people actually type, dialect forms and misspellings included, and even the
slurs some people know as the only word for themselves, so that they still find help. (Danger
is not listed here: it is understood by meaning, from `locales/danger.yaml`.)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

# BCP 47 with an optional script: ku-Arab is Badini, tr Turkish (typed in Türkiye).
SearchLang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?$")]
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Keywords = dict[SearchLang, list[Term]]
