"""The one-pass YAML reader must read every file exactly as the safe loader does: the same
values, the same duplicate keys at the same places, the same refusals; what it does not handle
itself it hands to the careful two-pass path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.directory.model import DirectoryError
from bot.loading.yamlfile import _one_pass, _two_passes, parse_yaml
from tests.conftest import DATA, ROOT


def outcome(read: Any, text: str) -> Any:
    try:
        data, duplicates = read(text, "f.yaml")
    except DirectoryError as exc:
        return ("refused", [str(p) for p in exc.problems])
    return data, [(mark.line, mark.column, key) for mark, key in duplicates]


def assert_read_alike(text: str) -> None:
    try:
        fast = outcome(_one_pass, text)
    except Exception as exc:  # only the hand-over to the careful path is allowed
        assert type(exc).__name__ == "_Unusual", exc
        return
    assert fast == outcome(_two_passes, text)


EDGES = {
    "scalars": "a: 1\nb: 1.5\nc: .inf\nd: 0x1F\ne: 0o17\nf: 1_000\ng: yes\nh: off\ni: ~\n"
               "j: null\nk: 2026-11-23\nl: 2026-11-23 10:00:00\nm: '07501234567'\n"
               "n: 07501234567\no: +964 750\np: \"quoted: yes\"\nq: |\n  block\n  text\n",
    "duplicates": "a: 1\nb: 2\na: 3\n'1': x\n1: y\n",
    "nested duplicates": "r:\n  - id: x\n    id: y\n  - {k: 1, k: 2}\n",
    "anchors": "base: &b {x: 1, y: [1, 2]}\nuse: *b\nlist: [*b, *b]\ns: &s text\nt: *s\n",
    "empty": "",
    "comment only": "# nothing\n",
    "flow": "a: [1, [2, [3, {b: c}]]]\n",
    "unicode": "name:\n  ar: محامٍ\n  ckb: پارێزەر\n  ku: parêzer\n",
    "merge key": "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "explicit tags": "a: !!str 1\nb: !!int '2'\nc: !!binary aGVsbG8=\n",
    "custom tag": "a: !thing 1\n",
    "complex key": "? [a, b]\n: value\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "undefined alias": "a: *nothing\n",
    "repeated anchor": "a: &x 1\nb: &x 2\nc: *x\n",
    "alias as key": "k: &k name\n*k : value\n",
    "syntax error": "a: [1, 2\nb: 3\n",
    "tab indentation": "a:\n\tb: 1\n",
    "deep": "a: " + "[" * 70 + "]" * 70 + "\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
        for i in range(5)
    ),
}


@pytest.mark.parametrize("case", list(EDGES))
def test_the_one_pass_reader_reads_edge_cases_as_the_safe_loader(case: str) -> None:
    assert_read_alike(EDGES[case])


@pytest.mark.parametrize("path", [ROOT / "resources.yaml", DATA / "directory.yaml"])
def test_the_shipped_directory_is_read_in_one_pass_exactly(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    fast = _one_pass(text, str(path))
    assert fast[0] == yaml.load(text, Loader=yaml.CSafeLoader) and not fast[1]


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20),
    st.floats(allow_nan=False), st.dates(min_value=dt.date(1900, 1, 1)),
    st.sampled_from(["yes", "no", "on", "~", "0x10", "1_0", "<<", "-", "*a", "&b", "!x"]),
)
DATA_TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=DATA_TREES, flow=st.booleans())
def test_any_dumped_data_is_read_alike(data: Any, flow: bool) -> None:
    assert_read_alike(yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab:- \n[]{},&*!'\"#|>?1~")), max_size=60))
def test_any_text_is_read_alike_or_refused_alike(text: str) -> None:
    assert_read_alike(text)


def test_a_file_beyond_plain_yaml_is_still_read_by_the_careful_path() -> None:
    data, problems = parse_yaml(EDGES["merge key"], "f.yaml")
    assert data["other"] == {"x": 1, "y": 2} and not problems
    data, problems = parse_yaml(EDGES["duplicates"], "f.yaml")
    assert [p.line for p in problems] == [3, 5]
