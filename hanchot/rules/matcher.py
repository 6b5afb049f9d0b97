"""Which patterns an event matches: one interface, two backends.

:func:`make_matcher` compiles a list of :class:`~hanchot.rules.model.Pattern`
once and answers, for each event, the indices of the patterns it matches::

    with make_matcher(patterns) as m:
        hits = m.classify("report.submitted", {"period": "2024-Q1", "pages": 12})

Backends:

``python``
    A pure-Python evaluator: each distinct pattern is compiled once to a closure.
``durable``
    Each distinct pattern becomes its own durable_rules ruleset (an event is
    consumed by one rule of a ruleset, so one ruleset per pattern is the only
    way to learn every pattern an event matches); see
    :mod:`hanchot.rules.durable_backend`.
``auto``
    ``durable`` when durable_rules imports (it does not on Python 3.13+),
    ``python`` otherwise.

Both backends implement the documented :class:`~hanchot.rules.model.Condition`
semantics exactly, and a property test holds them to the same answers:

* ``eq``/``ne``/``in``/``not_in`` compare JSON values *by kind*: a string
  equals only a string (both NFC-normalised, so composed and decomposed
  Vietnamese compare equal), a bool only a bool, and a number only a number,
  by value (``1 == 1.0``; ``True`` is not ``1``). ``null``, lists and objects
  equal no operand (operands are scalars). NaN equals nothing.
* ``gt``/``gte``/``lt``/``lte`` hold only for numbers; a bool, a string, null,
  a list or an object is not a number, so every comparison on it fails.
* ``exists`` tests presence of the key (a ``null`` value is present).
* A missing attribute fails every operator but ``ne``, ``not_in`` and
  ``exists: false``.

Front end (shared by both backends): patterns are indexed by their event type,
so an event is evaluated only against patterns of its type, and an event of a
type no pattern names returns ``frozenset()`` at once. The answer depends only
on the event type and the values of the attributes the patterns of that type
reference, so it is cached per matcher under that signature: a nightly batch of
millions of events has few distinct signatures, and the backend runs once per
signature. The cache is cleared when it reaches ``cache_size`` entries, so
memory stays flat on adversarial input. :attr:`Matcher.stats` counts backend
evaluations and cache hits.

A matcher is not thread-safe; use one per thread. Matchers share no state, so
several can coexist in one process.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self

from hanchot.rules.compiled import (
    MISSING,
    CompiledPattern,
    MatcherStats,
    TypeGroup,
    compile_pattern,
    is_number,
    nfc,
    normalise_value,
)

if TYPE_CHECKING:
    from types import TracebackType

    from hanchot.rules.model import Pattern

__all__ = [
    "MISSING",
    "Matcher",
    "MatcherStats",
    "PatternMatcher",
    "compile_pattern",
    "durable_available",
    "make_matcher",
]

DEFAULT_CACHE_SIZE = 100_000


_EMPTY: frozenset[int] = frozenset()


class PatternMatcher(Protocol):
    """Says which patterns each event matches."""

    def classify(self, event_type: str, attrs: Mapping[str, Any]) -> frozenset[int]:
        """Indices (into the pattern list) of the patterns the event matches."""
        ...

    def close(self) -> None:
        """Free native resources; idempotent."""
        ...


def durable_available() -> bool:
    """Whether the durable_rules C extension imports here (not on Python 3.13+)."""
    try:
        import durable_rules_engine  # type: ignore[import-not-found]  # noqa: F401
    except Exception:  # noqa: BLE001 - ImportError, or a broken build raising anything else
        return False
    return True


def make_matcher(
    patterns: Sequence[Pattern],
    backend: Literal["auto", "durable", "python"] = "auto",
    *,
    cache_size: int = DEFAULT_CACHE_SIZE,
) -> Matcher:
    """Compile *patterns* for the chosen backend; ``auto`` prefers durable_rules.

    ``cache_size`` bounds the signature cache (0 disables it). Raises
    :class:`RuntimeError` for ``durable`` when durable_rules does not import.
    """
    if backend == "auto":
        backend = "durable" if durable_available() else "python"
    compiled = [compile_pattern(p) for p in patterns]
    impl: _Backend
    if backend == "python":
        impl = _PythonBackend()
    elif backend == "durable":
        if not durable_available():
            raise RuntimeError("durable_rules is not available (it does not import here)")
        from hanchot.rules.durable_backend import DurableBackend

        impl = DurableBackend()
    else:
        raise ValueError(f"unknown matcher backend {backend!r}; use auto, durable or python")
    return Matcher(compiled, impl, backend, cache_size)


# --------------------------------------------------------------------------
# Front end: type index, signature cache, counters
# --------------------------------------------------------------------------


class _Backend(Protocol):
    def prepare(
        self, group: TypeGroup, stats: MatcherStats
    ) -> Callable[[tuple[Any, ...]], list[bool]]:
        """An evaluator for *group*: normalised attribute values -> match per distinct pattern."""
        ...

    def close(self) -> None: ...


class Matcher:
    """A compiled pattern list; see :func:`make_matcher`. Usable as a context manager."""

    def __init__(
        self,
        patterns: Sequence[CompiledPattern],
        backend: _Backend,
        backend_name: str,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.backend = backend_name
        self.stats = MatcherStats()
        self._cache_size = cache_size
        self._cache: dict[Any, frozenset[int]] = {}
        self._closed = False
        self._impl = backend
        groups: dict[str, TypeGroup] = {}
        distinct: dict[CompiledPattern, tuple[TypeGroup, int]] = {}
        members: dict[tuple[str, int], list[int]] = {}
        for index, pattern in enumerate(patterns):
            group = groups.get(pattern.type)
            if group is None:
                group = groups[pattern.type] = TypeGroup(pattern.type)
            if pattern not in distinct:
                distinct[pattern] = (group, len(group.patterns))
                group.patterns.append(pattern)
            _, position = distinct[pattern]
            members.setdefault((pattern.type, position), []).append(index)
        self._groups: dict[str, tuple[TypeGroup, Callable[[tuple[Any, ...]], list[bool]]]] = {}
        try:
            for type_, group in groups.items():
                group.indices = [tuple(members[(type_, k)]) for k in range(len(group.patterns))]
                group.attributes = tuple(sorted({a for p in group.patterns for a in p.attributes}))
                self._groups[type_] = (group, backend.prepare(group, self.stats))
        except BaseException:
            backend.close()
            raise
        self.types: frozenset[str] = frozenset(groups)
        """The event types some pattern names (an event of another type matches none)."""
        # Native resources are freed even if the caller forgets close().
        self._finalizer = weakref.finalize(self, backend.close)

    def classify(self, event_type: str, attrs: Mapping[str, Any]) -> frozenset[int]:
        """Indices of the patterns the event (its type and attributes) matches."""
        if self._closed:
            raise RuntimeError("classify() on a closed matcher")
        entry = self._groups.get(event_type)
        if entry is None:
            if event_type.isascii():
                return _EMPTY
            entry = self._groups.get(nfc(event_type))
            if entry is None:
                return _EMPTY
        group, evaluate = entry
        if group.attributes:
            get = attrs.get
            values = tuple([get(a, MISSING) for a in group.attributes])
            # The value types are part of the key: True, 1 and 1.0 are equal and
            # hash alike in Python but classify differently (bool is not a number).
            key: Any = (group.type, values, tuple(map(type, values)))
            try:
                hit = self._cache.get(key)
            except TypeError:  # a list or dict value: all such values classify alike
                values = tuple(_hashable(v) for v in values)
                key = (group.type, values, tuple(map(type, values)))
                hit = self._cache.get(key)
        else:  # no pattern of this type reads an attribute: its events classify alike
            values = ()
            key = group.type
            hit = self._cache.get(key)
        if hit is not None:
            self.stats.cache_hits += 1
            return hit
        self.stats.backend_calls += 1
        flags = evaluate(tuple([normalise_value(v) for v in values]))
        found: list[int] = []
        for matched, indices in zip(flags, group.indices):
            if matched:
                found.extend(indices)
        result = frozenset(found) if found else _EMPTY
        if self._cache_size > 0:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
                self.stats.cache_clears += 1
            self._cache[key] = result
        return result

    def fixed(self, event_type: str) -> frozenset[int] | None:
        """The patterns every event of *event_type* matches, when no pattern of that type
        reads an attribute (its events then classify alike); None when they do."""
        entry = self._groups.get(event_type)
        if entry is None or entry[0].attributes:
            return None
        return self.classify(event_type, {})

    def close(self) -> None:
        """Free native resources (durable rulesets); idempotent."""
        self._closed = True
        self._cache.clear()
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Other:
    """Stands for any list or dict value in a cache key: they all classify alike."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "OTHER"


_OTHER = _Other()


def _hashable(value: Any) -> Any:
    # Operands are scalars, so a list or an object equals none of them, is in
    # no ``in`` list, is not a number and is present: every list and every
    # dict gives the same answer, and one stand-in keeps the key hashable.
    try:
        hash(value)
    except TypeError:
        return _OTHER
    return value


# --------------------------------------------------------------------------
# The pure-Python backend
# --------------------------------------------------------------------------


def equals(value: Any, operand: Any) -> bool:
    """JSON equality by kind: str with str, bool with bool, number with number."""
    if isinstance(operand, bool):
        return isinstance(value, bool) and value == operand
    if isinstance(operand, str):
        return isinstance(value, str) and value == operand
    return is_number(value) and value == operand


def _predicate(op: str, operand: Any) -> Callable[[Any], bool]:
    """A test of one (normalised) attribute value, MISSING when absent."""
    if op == "eq":
        return lambda v: v is not MISSING and equals(v, operand)
    if op == "ne":
        return lambda v: v is MISSING or not equals(v, operand)
    if op == "in":
        return lambda v: v is not MISSING and any(equals(v, o) for o in operand)
    if op == "not_in":
        return lambda v: v is MISSING or not any(equals(v, o) for o in operand)
    if op == "exists":
        return (lambda v: v is not MISSING) if operand else (lambda v: v is MISSING)
    if op == "gt":
        return lambda v: is_number(v) and v > operand
    if op == "gte":
        return lambda v: is_number(v) and v >= operand
    if op == "lt":
        return lambda v: is_number(v) and v < operand
    if op == "lte":
        return lambda v: is_number(v) and v <= operand
    raise ValueError(f"unknown operator {op!r}")


def python_closure(
    pattern: CompiledPattern, attributes: Sequence[str]
) -> Callable[[tuple[Any, ...]], bool]:
    """*pattern* as one function of the values of *attributes* (in that order)."""
    position = {a: i for i, a in enumerate(attributes)}
    tests = [
        (position[c.attribute], _predicate(op, operand))
        for c in pattern.conditions
        for op, operand in c.ops
    ]

    def matches(values: tuple[Any, ...]) -> bool:
        for i, test in tests:
            if not test(values[i]):
                return False
        return True

    return matches


class _PythonBackend:
    def prepare(
        self, group: TypeGroup, stats: MatcherStats
    ) -> Callable[[tuple[Any, ...]], list[bool]]:
        closures = [python_closure(p, group.attributes) for p in group.patterns]

        def evaluate(values: tuple[Any, ...]) -> list[bool]:
            return [f(values) for f in closures]

        return evaluate

    def close(self) -> None:
        pass
