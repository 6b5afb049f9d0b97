"""The pattern matcher: which patterns an event matches, on both backends."""

from __future__ import annotations

import gc
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_rules import events, near_values, patterns

from hanchot.rules.matcher import durable_available, make_matcher
from hanchot.rules.model import Condition, Pattern

DURABLE = durable_available()
needs_durable = pytest.mark.skipif(not DURABLE, reason="durable_rules does not import here")
BACKENDS = ["python", pytest.param("durable", marks=needs_durable)]

QUY = "Quý"
QUY_NFD = unicodedata.normalize("NFD", QUY)
assert QUY != QUY_NFD

MISSING = object()

# (condition on attribute "k", value of "k" or MISSING, expected match)
CASES: list[tuple[Any, Any, bool]] = [
    # eq: by kind, numbers by value
    (Condition(eq=1), 1, True),
    (Condition(eq=1), 1.0, True),
    (Condition(eq=1.0), 1, True),
    (Condition(eq=1), True, False),
    (Condition(eq=True), 1, False),
    (Condition(eq=False), 0, False),
    (Condition(eq=True), True, True),
    (Condition(eq=1), "1", False),
    (Condition(eq="1"), 1, False),
    (Condition(eq="a"), "a", True),
    (Condition(eq="a"), None, False),
    (Condition(eq="a"), ["a"], False),
    (Condition(eq="a"), {"a": 1}, False),
    (Condition(eq=1), MISSING, False),
    (Condition(eq=2**53), 2**53 + 1, False),
    (Condition(eq=0.5), 0.5, True),
    (Condition(eq=1e20), 10**20, True),
    (Condition(eq=QUY), QUY_NFD, True),
    (Condition(eq=QUY_NFD), QUY, True),
    (QUY, QUY_NFD, True),
    ("a", "b", False),
    # ne: the negation of eq; a missing attribute is "not equal"
    (Condition(ne=1), 2, True),
    (Condition(ne=1), 1.0, False),
    (Condition(ne=1), True, True),
    (Condition(ne=1), "1", True),
    (Condition(ne="a"), None, True),
    (Condition(ne="a"), ["a"], True),
    (Condition(ne="a"), MISSING, True),
    (Condition(ne=QUY), QUY_NFD, False),
    # in / not_in: lists of mixed kinds
    (Condition(in_=[1, "a", True]), 1.0, True),
    (Condition(in_=[1, "a", True]), "a", True),
    (Condition(in_=[1, "a", True]), True, True),
    (Condition(in_=[1, "a"]), True, False),
    (Condition(in_=[1, "a"]), "1", False),
    (Condition(in_=[1, "a"]), None, False),
    (Condition(in_=[1, "a"]), [1], False),
    (Condition(in_=[1, "a"]), MISSING, False),
    (Condition(in_=[]), 1, False),
    (Condition(in_=[QUY]), QUY_NFD, True),
    (Condition(not_in=[1, "a"]), 2, True),
    (Condition(not_in=[1, "a"]), 1.0, False),
    (Condition(not_in=[1, "a"]), True, True),
    (Condition(not_in=[1, "a"]), None, True),
    (Condition(not_in=[1, "a"]), MISSING, True),
    (Condition(not_in=[]), "x", True),
    (Condition(not_in=[QUY_NFD]), QUY, False),
    # comparisons: numbers only, bool is not a number
    (Condition(gt=1), 2, True),
    (Condition(gt=1), 1, False),
    (Condition(gt=1), 1.5, True),
    (Condition(gt=1), True, False),
    (Condition(gt=1), "2", False),
    (Condition(gt=1), None, False),
    (Condition(gt=1), [2], False),
    (Condition(gt=1), MISSING, False),
    (Condition(gt=2.0**53), 2**53 + 1, True),
    (Condition(gt=1e15), 1e20, True),
    (Condition(gte=1), 1, True),
    (Condition(gte=1), 0.999, False),
    (Condition(gte=0), False, False),
    (Condition(lt=0), -1e-5, True),
    (Condition(lt=0), -0.0, False),
    (Condition(lt=0), "", False),
    (Condition(lte=0), -0.0, True),
    (Condition(lte=0), MISSING, False),
    (Condition(gt=0, lt=10), 5, True),
    (Condition(gt=0, lt=10), 10, False),
    # exists: presence of the key, null counts as present
    (Condition(exists=True), None, True),
    (Condition(exists=True), MISSING, False),
    (Condition(exists=False), MISSING, True),
    (Condition(exists=False), 0, False),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_operator(backend: str) -> None:
    """Every operator gives the documented answer for each kind of value, missing included."""
    failures = []
    for condition, value, expected in CASES:
        attrs = {} if value is MISSING else {"k": value}
        with make_matcher([Pattern(type="t", where={"k": condition})], backend) as m:
            got = m.classify("t", attrs) == {0}
        if got != expected:
            failures.append((condition, value, expected))
    assert failures == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_type_and_indices(backend: str) -> None:
    """classify returns the indices of every matching pattern, duplicates included, and only of the event's type."""
    ps = [
        Pattern(type="a", where={"k": 1}),
        Pattern(type="a", where={}),
        Pattern(type="b", where={"k": 1}),
        Pattern(type="a", where={"k": 1}),
        Pattern(type=QUY, where={"k": Condition(exists=False)}),
    ]
    with make_matcher(ps, backend) as m:
        assert m.classify("a", {"k": 1}) == {0, 1, 3}
        assert m.classify("a", {"k": 2}) == {1}
        assert m.classify("b", {"k": 1.0}) == {2}
        assert m.classify("c", {"k": 1}) == frozenset()
        assert m.classify(QUY_NFD, {}) == {4}


@pytest.mark.parametrize("backend", BACKENDS)
def test_awkward_attribute_names(backend: str) -> None:
    """Attribute names like 'id', 'type', 'a.b' and '$x' are plain keys, not paths or reserved fields."""
    ps = [Pattern(type="t", where={name: "v"}) for name in ("id", "type", "a.b", "$x", "sid")]
    with make_matcher(ps, backend) as m:
        for i, name in enumerate(("id", "type", "a.b", "$x", "sid")):
            assert m.classify("t", {name: "v"}) == {i}
        assert m.classify("t", {"a": {"b": "v"}}) == frozenset()


@pytest.mark.parametrize("backend", BACKENDS)
def test_odd_strings(backend: str) -> None:
    """Strings with quotes, backslashes, NUL or lone surrogates match exactly themselves."""
    words = ['a"b', "a\\b", "a\x00b", "\ud800", "n:1", "😀"]
    ps = [Pattern(type="t", where={"k": w}) for w in words]
    with make_matcher(ps, backend) as m:
        for i, w in enumerate(words):
            assert m.classify("t", {"k": w}) == {i}
        assert m.classify("t", {"k": 1}) == frozenset()


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan(backend: str) -> None:
    """NaN equals nothing and fails every comparison, as in Python."""
    ps = [
        Pattern(type="t", where={"k": Condition(gt=0)}),
        Pattern(type="t", where={"k": Condition(ne=1)}),
        Pattern(type="t", where={"k": Condition(eq=float("nan"))}),
        Pattern(type="t", where={"k": Condition(lt=float("nan"))}),
    ]
    with make_matcher(ps, backend) as m:
        assert m.classify("t", {"k": float("nan")}) == {1}
        assert m.classify("t", {"k": 5}) == {0, 1}


@needs_durable
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(patterns(), min_size=1, max_size=6), st.data())
def test_backends_agree(ps: list[Pattern], data: st.DataObject) -> None:
    """The durable and the Python backend give the same answer for every event."""
    evs = data.draw(st.lists(events(near_values(ps)), min_size=1, max_size=15))
    with make_matcher(ps, "durable") as d, make_matcher(ps, "python", cache_size=0) as p:
        for event_type, attrs in evs:
            assert d.classify(event_type, attrs) == p.classify(event_type, attrs), (
                event_type,
                attrs,
            )


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_matchers_are_independent(backend: str) -> None:
    """Two matchers with different patterns in one process answer as each would alone."""
    ps1 = [Pattern(type="t", where={"k": Condition(gt=1)}), Pattern(type="u", where={})]
    ps2 = [Pattern(type="t", where={"k": Condition(lt=1)}), Pattern(type="t", where={"k": 5})]
    evs: list[tuple[str, dict[str, Any]]] = [
        ("t", {"k": 0}),
        ("t", {"k": 5}),
        ("u", {}),
        ("t", {}),
        ("t", {"k": 1}),
    ]
    with make_matcher(ps1, backend) as m1:
        alone1 = [m1.classify(t, a) for t, a in evs]
    with make_matcher(ps2, backend) as m2:
        alone2 = [m2.classify(t, a) for t, a in evs]
    with make_matcher(ps1, backend) as m1, make_matcher(ps2, backend) as m2:
        together = [(m1.classify(t, a), m2.classify(t, a)) for t, a in evs]
    assert together == list(zip(alone1, alone2))
    assert alone1 == [frozenset(), {0}, {1}, frozenset(), frozenset()]
    assert alone2 == [{0}, {1}, frozenset(), frozenset(), frozenset()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_close_is_idempotent(backend: str) -> None:
    """close() may be called any number of times, and a closed matcher refuses to classify."""
    m = make_matcher([Pattern(type="t", where={"k": 1})], backend)
    assert m.classify("t", {"k": 1}) == {0}
    m.close()
    m.close()
    with m:
        pass
    assert m.closed
    with pytest.raises(RuntimeError):
        m.classify("t", {"k": 1})


@needs_durable
def test_unclosed_matcher_is_freed() -> None:
    """A durable matcher dropped without close() frees its rulesets."""
    m = make_matcher([Pattern(type="t", where={"k": 1})], "durable")
    finalizer = m._finalizer
    del m
    gc.collect()
    assert not finalizer.alive


@pytest.mark.parametrize("backend", BACKENDS)
def test_cache_counts_hits(backend: str) -> None:
    """Repeated signatures are answered from the cache and counted; unknown types cost nothing."""
    ps = [Pattern(type="t", where={"k": Condition(gt=1)}), Pattern(type="t", where={"j": "x"})]
    with make_matcher(ps, backend) as m:
        for _ in range(10):
            assert m.classify("t", {"k": 2, "other": object()}) == {0}
        assert m.classify("t", {"k": True}) == frozenset()  # not the cached k=1 answer
        assert m.classify("t", {"k": 1}) == frozenset()
        assert m.classify("t", {"k": [1], "j": "x"}) == {1}
        assert m.classify("t", {"k": [2], "j": "x"}) == {1}
        assert m.classify("nope", {"k": 2}) == frozenset()
        assert m.stats.backend_calls == 4
        assert m.stats.cache_hits == 10
        if backend == "durable":
            assert m.stats.posts == 8


@pytest.mark.parametrize("backend", BACKENDS)
def test_cache_is_bounded(backend: str) -> None:
    """The cache is cleared when full, so memory stays flat on many distinct signatures."""
    with make_matcher(
        [Pattern(type="t", where={"k": Condition(gt=50)})], backend, cache_size=10
    ) as m:
        for n in range(100):
            assert m.classify("t", {"k": n}) == ({0} if n > 50 else frozenset())
        assert len(m._cache) <= 10
        assert m.stats.cache_clears > 0


def test_auto_backend() -> None:
    """'auto' picks durable_rules when it imports and the Python evaluator otherwise."""
    with make_matcher([], "auto") as m:
        assert m.backend == ("durable" if DURABLE else "python")
        assert m.classify("t", {}) == frozenset()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(patterns(), min_size=1, max_size=6), st.data())
def test_a_fixed_type_classifies_every_event_alike(ps: list[Pattern], data: st.DataObject) -> None:
    """fixed(type) is the answer for every event of a type whose patterns read no attribute, and None otherwise."""
    evs = data.draw(st.lists(events(near_values(ps)), min_size=1, max_size=15))
    with make_matcher(ps, "python", cache_size=0) as m:
        for event_type, attrs in evs:
            reads = any(p.where for p in ps if p.type == event_type)
            fixed = m.fixed(event_type)
            if event_type in m.types and not reads:
                assert fixed == m.classify(event_type, attrs)
            else:
                assert fixed is None
