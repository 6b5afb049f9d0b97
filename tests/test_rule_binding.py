"""Which agencies a rule binds: ``RuleBase.bound`` asks each kind of agency once, and agrees with ``binds``."""

from __future__ import annotations

from typing import Any

from builders import agency
from hypothesis import given
from hypothesis import strategies as st

from hanchot.rules.loader import load_pack

RULE = load_pack("hue-2025").rules[0]

LEVELS = ["commune", "department", "province"]
PROVINCES = ["p", "q", None]
TAGS = ["dost", "merged", "pilot"]

agencies = st.lists(
    st.builds(
        lambda i, level, province, tags: agency(f"a{i}", level, province=province, tags=tags),
        st.integers(0, 10**6),
        st.sampled_from(LEVELS),
        st.sampled_from(PROVINCES),
        st.lists(st.sampled_from(TAGS), unique=True, max_size=2),
    ),
    max_size=30,
)


def _values(options: list[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(options), st.lists(st.sampled_from(options), unique=True, min_size=1, max_size=2))


selectors = st.fixed_dictionaries(
    {},
    optional={
        "level": _values(LEVELS),
        "province": _values(["p", "q"]),
        "tags": _values(TAGS),
        "parent": _values(["a1", "a2"]),
    },
)


@given(agencies, selectors, selectors)
def test_bound_is_every_agency_the_rule_binds_in_order(pool: list[Any], applies_to: dict[str, Any], exempt: dict[str, Any]) -> None:
    """Agencies of one kind share a verdict; the list is ``binds`` asked of each, in the pool's order."""
    rule = RULE.model_copy(update={"applies_to": applies_to, "exempt": exempt})
    assert rule.bound(pool) == [a for a in pool if rule.binds(a)]
