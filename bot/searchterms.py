"""The search words admins keep in resources.yaml: keywords per category, danger words.

Keywords are match terms only: they are never shown, so a category's list may hold the words
people actually type, dialect forms and misspellings included, and even the slurs some people
know as the only word for themselves, so that they still find help.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# BCP 47 with an optional script: ku-Arab is Badini, tr Turkish (typed in Türkiye).
SearchLang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?$")]
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Keywords = dict[SearchLang, list[Term]]


class SearchSettings(BaseModel):
    """`search:` at the top of resources.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Words that signal immediate danger: the Emergency screen for the person's place first.
    danger: Keywords = Field(default_factory=dict)
