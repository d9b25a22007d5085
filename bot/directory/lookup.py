""""Is this real?": what someone sent, found among the directory's contacts and known fakes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.directory.model import KnownFake
from bot.directory.sent import keys_in

SCAM_CATEGORY = "safety-scams"  # the guides shown after every answer
Found = tuple[str, int]  # a listed contact: its resource's id, its place among the contacts


@dataclass(frozen=True)
class Lookup:
    countries: tuple[str, ...]
    listed: Mapping[str, tuple[Found, ...]]  # key -> the contacts it is
    fakes: Mapping[str, KnownFake]


@dataclass(frozen=True)
class Checked:
    """`rest`, the message without what was looked up, is only ever listened to for danger."""

    fakes: tuple[KnownFake, ...] = ()
    listed: tuple[Found, ...] = ()
    unknown: int = 0
    rest: str = field(default="", repr=False, compare=False)


def check(lookup: Lookup, text: str) -> Checked | None:
    """What the message holds that can be checked, found or not; None if nothing can be."""
    things, rest = keys_in(text, lookup.countries)
    if not things:
        return None
    found = [(next((lookup.fakes[k] for k in sorted(keys) if k in lookup.fakes), None),
              [i for k in sorted(keys) for i in lookup.listed.get(k, ())]) for keys in things]
    fakes = {fake.value: fake for fake, _ in found if fake}  # a fake wins: an admin said so
    listed = dict.fromkeys(i for fake, ids in found if not fake for i in ids)
    unknown = sum(1 for fake, ids in found if not fake and not ids)
    return Checked(tuple(fakes.values()), tuple(listed), unknown, rest)

