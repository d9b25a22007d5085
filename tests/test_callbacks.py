from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.callbacks import MAX_BYTES, REPORTS, Action, Kind, decode

IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,23}", fullmatch=True)


@given(kind=st.sampled_from([Kind.RESOURCE, *REPORTS]), target=IDS, origin=IDS,
       page=st.integers(0, 99))
def test_every_encoded_action_decodes_to_itself_within_64_bytes(
    kind: Kind, target: str, origin: str, page: int
) -> None:
    action = Action(kind, target, origin, page)
    data = action.encode()
    assert data.isascii() and len(data.encode()) <= MAX_BYTES
    assert decode(data) == action


@given(st.binary(min_size=1, max_size=64))
def test_any_bytes_decode_to_an_action_or_none(raw: bytes) -> None:
    action = decode(raw.decode("utf-8", errors="replace"))
    assert action is None or decode(action.encode()) == action


@pytest.mark.parametrize("forged", [
    "", "1", "1:", "2:m", "1:m:extra", "1:c:asylum", "1:c:ASYLUM:0", "1:r:x:y:100",
    "1:L:english", "1:W:../../etc", "1:c:asylum:0\n", "1:r:" + "a" * 60, "١:m", None, 42,
    "1:y:x", "1:u:x:y", "1:y:X:-:0", "1:u:x:-:100",
])
def test_forged_callback_data_is_refused(forged: object) -> None:
    assert decode(forged) is None


def test_actions_that_would_not_fit_are_refused_when_built() -> None:
    with pytest.raises(ValueError):
        Action(Kind.CATEGORY, "x" * 30).encode()
