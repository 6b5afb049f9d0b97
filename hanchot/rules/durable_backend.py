"""The durable_rules backend of :mod:`hanchot.rules.matcher`.

Facts measured on durable_rules 2.0.28 that shape this module:

* Only single-event patterns posted as events are used: facts and cross-fact
  comparisons crash the process (SIGSEGV). ``durable.lang``/``durable.engine.Host``
  are not used either (their background threads race); the C extension
  ``durable_rules_engine`` is called directly.
* An event is consumed by only one rule of a ruleset, so every *distinct*
  pattern gets its own ruleset, and an event is posted to each ruleset of its
  type to learn every pattern it matches.
* ``assert_event`` returns ``(0, state)`` when the event matched, ``(1, _)``
  when it did not and ``(2, _)`` when an event with the same id is still
  pending. A matched event must be consumed (``start_action_for_state`` then
  ``complete_and_start_action`` until it returns nothing) or the next post is
  refused; ids come from a per-backend counter.
* ``$in`` is not supported (error 202): ``in`` becomes an ``$or`` of
  equalities and ``not_in`` an ``$and`` of ``$neq``.

Durable's own value semantics differ from the documented
:class:`~hanchot.rules.model.Condition` semantics, measured here:

* equality coerces across kinds: ``1 == "1"``, ``1 == true``, ``0 == false``
  (but ``"1" != 1.0``);
* ``$gt``/``$lt`` order strings and bools against numbers (``"a" > 1``,
  ``true >= 1``);
* ``$neq`` fails on a missing attribute and on ``null``/lists/objects;
* numbers in exponent notation (``1e+20``, ``1e-05``, as Python's ``json``
  writes them) are rejected with error 204, both in rulesets and in events;
* integers are compared through doubles (``2**53 + 1 > 2.0**53`` is false);
* a dotted attribute name ``a.b`` also reads the nested object ``{"a": {"b":}}``.

So the backend never shows durable a raw value. Each posted message is a
*projection*: ``{"id", "sid", "type"}`` plus, for each attribute the pattern
references (at position ``i`` among the attributes of its event type):

* ``e<i>`` — present iff the attribute is present — a kind-tagged string
  (:func:`eq_tag`): ``"s:<text>"``, ``"b:1"``/``"b:0"``, ``"n:<number>"`` with
  integral floats written as integers (so ``1`` and ``1.0`` meet), and ``"o"``
  for ``null``, lists, objects and NaN (equal to no operand). Pattern operands
  go through the same function, so durable only ever compares strings with
  strings, which it does exactly. ``eq``/``in`` are equalities on ``e<i>``
  (missing fails, as documented); ``ne``/``not_in`` are
  ``$nex e<i> or $neq ...`` (missing holds, as documented, where durable's bare
  ``$neq`` would fail); ``exists`` is ``$ex``/``$nex`` on ``e<i>``.
* ``c<i>`` — present only when the value is a number (int or float, not bool,
  not NaN) and the attribute is compared with ``gt``/``gte``/``lt``/``lte`` —
  the value's *rank* among the sorted distinct comparison operands of that
  attribute (:func:`~hanchot.rules.matcher.rank`: ``2j+1`` equal to the j-th,
  ``2j`` just below it). Operands compile to their own rank. Python computes
  the rank with exact int/float comparisons, durable compares small integers,
  so order is kept exactly and no float or big integer reaches durable's
  parser; a non-number has no ``c<i>`` and so fails every comparison, as
  documented.

Attributes are renamed to ``e<i>``/``c<i>`` so names such as ``id``, ``type``,
``a.b`` or ``$x`` cannot collide with durable's own keys or paths. Strings that
UTF-8 cannot encode (lone surrogates) are tagged ``"u:<hex of their bytes>"``.
Patterns that can never match (``in: []``, ``eq: NaN``, a comparison with
NaN) get no ruleset.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from itertools import count
from typing import Any
from uuid import uuid4

import durable_rules_engine as _engine  # type: ignore[import-not-found]

from hanchot.rules.compiled import (
    MISSING,
    CompiledPattern,
    MatcherStats,
    TypeGroup,
    numeric_thresholds,
    rank,
)

OTHER_TAG = "o"


class _Never(Exception):
    """The pattern can never match."""


def _utf8(value: str) -> bool:
    """Whether *value* can be sent to the C extension (no lone surrogates)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _hex(value: str) -> str:
    return value.encode("utf-8", "surrogatepass").hex()


def _wire_type(value: str) -> str:
    # The type is checked in Python before posting; any injective spelling will do.
    return value if _utf8(value) else "u:" + _hex(value)


def eq_tag(value: Any) -> str | None:
    """The kind-tagged string that stands for *value* in equality tests.

    ``None`` for values that equal no operand (null, lists, objects, NaN).
    """
    if isinstance(value, str):
        return "s:" + value if _utf8(value) else "u:" + _hex(value)
    if isinstance(value, bool):
        return "b:1" if value else "b:0"
    if isinstance(value, int):
        return f"n:{value}"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():  # false for +-inf; 1.0 meets 1, as in Python
            return f"n:{int(value)}"
        return f"n:{value!r}"
    return None


_COMPARISONS = {"gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}


def _compile_ops(
    i: int, ops: tuple[tuple[str, Any], ...], thresholds: list[float]
) -> list[dict[str, Any]]:
    e, c = f"e{i}", f"c{i}"
    absent = {"$nex": {e: 1}}
    out: list[dict[str, Any]] = []
    for op, operand in ops:
        if op == "eq":
            tag = eq_tag(operand)
            if tag is None:
                raise _Never
            out.append({e: tag})
        elif op == "ne":
            tag = eq_tag(operand)
            if tag is not None:  # ne NaN always holds
                out.append({"$or": [absent, {"$neq": {e: tag}}]})
        elif op == "in":
            tags = sorted({t for t in map(eq_tag, operand) if t is not None})
            if not tags:
                raise _Never
            out.append({e: tags[0]} if len(tags) == 1 else {"$or": [{e: t} for t in tags]})
        elif op == "not_in":
            tags = sorted({t for t in map(eq_tag, operand) if t is not None})
            if tags:
                others = [{"$neq": {e: t}} for t in tags]
                out.append({"$or": [absent, others[0] if len(others) == 1 else {"$and": others}]})
        elif op == "exists":
            out.append({"$ex": {e: 1}} if operand else absent)
        elif op in _COMPARISONS:
            if math.isnan(operand):
                raise _Never
            out.append({_COMPARISONS[op]: {c: rank(operand, thresholds)}})
        else:
            raise ValueError(f"unknown operator {op!r}")
    return out


def compile_ruleset(
    pattern: CompiledPattern, attributes: tuple[str, ...], thresholds: dict[str, list[float]]
) -> dict[str, Any] | None:
    """The durable ruleset for *pattern*, or ``None`` when it can never match."""
    position = {a: i for i, a in enumerate(attributes)}
    terms: list[dict[str, Any]] = [{"type": _wire_type(pattern.type)}]
    try:
        for cond in pattern.conditions:
            terms.extend(
                _compile_ops(position[cond.attribute], cond.ops, thresholds.get(cond.attribute, []))
            )
    except _Never:
        return None
    return {"r": {"all": [{"m": {"$and": terms}}]}}


class _Ruleset:
    __slots__ = ("fields", "handle")

    def __init__(self, handle: Any, fields: list[tuple[int, bool]]) -> None:
        self.handle = handle
        # (attribute position, whether the pattern compares it as a number)
        self.fields = fields


class DurableBackend:
    """Rulesets for one matcher; freed by :meth:`close`."""

    def __init__(self) -> None:
        self._prefix = f"hanchot-{uuid4().hex}"
        self._names = count()
        self._ids = count(1)
        self._handles: list[Any] = []

    def _create(self, definition: dict[str, Any]) -> Any:
        name = f"{self._prefix}-{next(self._names)}"
        handle = _engine.create_ruleset(name, json.dumps(definition, ensure_ascii=False))
        self._handles.append(handle)
        return handle

    def prepare(
        self, group: TypeGroup, stats: MatcherStats
    ) -> Callable[[tuple[Any, ...]], list[bool]]:
        attributes = group.attributes
        thresholds = {a: numeric_thresholds(group.patterns, a) for a in attributes}
        type_text = _wire_type(group.type)
        rulesets: list[_Ruleset | None] = []
        for pattern in group.patterns:
            definition = compile_ruleset(pattern, attributes, thresholds)
            if definition is None:
                rulesets.append(None)
                continue
            fields = []
            for cond in pattern.conditions:
                compared = any(op in _COMPARISONS for op, _ in cond.ops)
                fields.append((attributes.index(cond.attribute), compared))
            rulesets.append(_Ruleset(self._create(definition), fields))
        ranks = [thresholds[a] for a in attributes]
        ids = self._ids
        assert_event = _engine.assert_event
        start_action = _engine.start_action_for_state
        complete_and_start = _engine.complete_and_start_action

        def evaluate(values: tuple[Any, ...]) -> list[bool]:
            # Project every attribute once; each ruleset gets only its own.
            projected: dict[str, Any] = {}
            for i, value in enumerate(values):
                if value is MISSING:
                    continue
                tag = eq_tag(value)
                projected[f"e{i}"] = OTHER_TAG if tag is None else tag
                if (
                    ranks[i]
                    and isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    and not (isinstance(value, float) and math.isnan(value))
                ):
                    projected[f"c{i}"] = rank(value, ranks[i])
            out = []
            for ruleset in rulesets:
                if ruleset is None:
                    out.append(False)
                    continue
                message: dict[str, Any] = {"id": next(ids), "sid": "0", "type": type_text}
                for i, compared in ruleset.fields:
                    key = f"e{i}"
                    if key in projected:
                        message[key] = projected[key]
                    if compared and (key := f"c{i}") in projected:
                        message[key] = projected[key]
                stats.posts += 1
                result = assert_event(ruleset.handle, json.dumps(message, ensure_ascii=False))
                if result[0] == 0:
                    # Consume the match, or the ruleset refuses the next event.
                    state = result[1]
                    action = start_action(ruleset.handle, state)
                    while action:
                        action = complete_and_start(ruleset.handle, state)
                    out.append(True)
                elif result[0] == 1:
                    out.append(False)
                else:
                    raise RuntimeError(f"durable_rules refused an event (code {result[0]})")
            return out

        return evaluate

    def close(self) -> None:
        """Delete every ruleset; idempotent."""
        handles, self._handles = self._handles, []
        for handle in handles:
            _engine.delete_ruleset(handle)
