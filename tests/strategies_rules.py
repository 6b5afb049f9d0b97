"""Hypothesis strategies for rule patterns and the events they match."""

from __future__ import annotations

import unicodedata
from typing import Any

from hypothesis import strategies as st

from hanchot.rules.model import Condition, Pattern

EVENT_TYPES = ["report.submitted", "báo_cáo.nộp"]
ATTRIBUTES = ["k", "quý", "a.b"]
WORDS = ["Quý", "quý", "a", "1", "", "Đ", "ơ"]

# Composed and decomposed spellings of the same Vietnamese words.
strings = st.sampled_from(WORDS + [unicodedata.normalize("NFD", w) for w in WORDS])
ints = st.sampled_from([-1, 0, 1, 2, 3, 2**53, 2**53 + 1]) | st.integers(-5, 5)
floats = st.sampled_from([0.0, -0.0, 0.5, 1.0, 1.5, 2.0, 1e20, -1e-5, 2.0**53])
bools = st.booleans()
scalars = st.one_of(ints, floats, bools, strings)
numbers = st.one_of(ints, floats)

#: Attribute values: scalars, null and the odd list or object.
values = st.one_of(
    scalars,
    st.none(),
    st.lists(scalars, max_size=2),
    st.dictionaries(st.sampled_from(["x"]), scalars, max_size=1),
)


@st.composite
def conditions(draw: st.DrawFn) -> Condition:
    """A condition with one to three operators."""
    ops = draw(
        st.lists(
            st.sampled_from(["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    kwargs: dict[str, Any] = {}
    for op in ops:
        if op in ("eq", "ne"):
            kwargs[op] = draw(scalars)
        elif op in ("in", "not_in"):
            kwargs[op] = draw(st.lists(scalars, max_size=3))
        elif op == "exists":
            kwargs[op] = draw(st.booleans())
        else:
            kwargs[op] = draw(numbers)
    return Condition(**kwargs)


@st.composite
def patterns(draw: st.DrawFn) -> Pattern:
    """A pattern on one of :data:`EVENT_TYPES` with up to three attributes."""
    where = draw(
        st.dictionaries(st.sampled_from(ATTRIBUTES), st.one_of(scalars, conditions()), max_size=3)
    )
    return Pattern(type=draw(st.sampled_from(EVENT_TYPES)), where=where)


def near_values(pattern_list: list[Pattern]) -> list[Any]:
    """Values at the edges of the patterns' operands, and their look-alikes of other kinds.

    For each operand: itself, its other spellings (``1``, ``1.0``, ``True``,
    ``"1"``, the NFD form of a string) and numbers just beside it, so that
    generated events hit the boundaries where backends could disagree.
    """
    out: list[Any] = []
    for pattern in pattern_list:
        for _, condition in pattern.conditions():
            for _, operand in condition.operators():
                for v in operand if isinstance(operand, list) else [operand]:
                    out.append(v)
                    if isinstance(v, str):
                        out.append(unicodedata.normalize("NFD", v))
                    elif isinstance(v, bool):
                        out.extend([int(v), float(v), str(v).lower()])
                    elif isinstance(v, (int, float)):
                        out.extend([v + 0.5, v - 0.5, str(v), float(v)])
                        if v == int(v):
                            out.append(int(v))
                        if v in (0, 1):
                            out.append(bool(v))
    return out


@st.composite
def events(draw: st.DrawFn, near: list[Any] | None = None) -> tuple[str, dict[str, Any]]:
    """An (event type, attributes) pair; some attributes are missing.

    With *near* (see :func:`near_values`), values are mostly drawn from it.
    """
    event_type = draw(st.sampled_from(EVENT_TYPES + ["unknown.type"]))
    pool = st.one_of(st.sampled_from(near), values) if near else values
    attrs = draw(st.dictionaries(st.sampled_from(ATTRIBUTES), pool, max_size=4))
    return event_type, attrs
