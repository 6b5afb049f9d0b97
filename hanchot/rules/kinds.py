"""Rule kinds: registered once, looked up by the pack format, the engine, the replay and ``packs show``.

A rule kind is one module, in the way :mod:`holidays` registers a country:

- its pydantic **model**: a subclass of :class:`hanchot.rules.model.RuleBase`
  with ``kind: Literal["name"]``, whose :meth:`~hanchot.rules.model.RuleBase.roles`
  names the (role, pattern) pairs an event may play and whose
  ``merge_default`` says what becomes of an open duty of an agency merged away;
- its **evaluator**: ``evaluate(rule, index, agency, ctx, (first, last))``
  yields the :class:`~hanchot.obligations.instances.Obligation` instances of one
  agency (``ctx.events(agency, index, role)`` gives the events of each role);
- its **boundaries**: the days on which its results may change with no new
  event (a period opening), so the incremental replay evaluates every agency
  again on those days;
- its **label** for ``hanchot packs show``, per language;
- its **idle attributes** (optional): those of which an event holding nothing takes
  no part in its evaluation, so a batch keeps such an event as a reference only;

and ``register(RuleKind(...))`` at import. The built-in kinds are those of
:mod:`hanchot.obligations.within`, :mod:`~hanchot.obligations.periodic` and
:mod:`~hanchot.obligations.milestone` (the engine imports them). Other kinds
are modules named in the environment variable ``HANCHOT_RULE_KINDS``
(comma-separated, importable), imported before a pack is loaded — also in the
batch's worker processes, which inherit the environment — so a pack may use
the kind, and ``check``, ``batch`` and ``replay`` evaluate it with no other
edit.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hanchot.errors import UnknownNameError, suggest
from hanchot.rules.model import RuleBase, add_rule_model

__all__ = ["PLUGINS_VARIABLE", "RuleKind", "load_plugins", "register", "rule_kind", "rule_kinds"]

PLUGINS_VARIABLE = "HANCHOT_RULE_KINDS"


def no_boundaries(rule: Any, first: dt.date, last: dt.date) -> Iterable[dt.date]:
    """A kind whose results change only with its events (``within``)."""
    return ()


def never_idle(rule: Any, role: str) -> frozenset[str]:
    """A kind whose every event takes part in its evaluation (``every``, ``once``)."""
    return frozenset()


@dataclass(frozen=True)
class RuleKind:
    """One kind of rule: its model, evaluator, replay boundaries, idle attributes and label."""

    name: str
    model: type[RuleBase]
    evaluate: Callable[..., Iterable[Any]]
    """``(rule, rule index, agency, ctx, (first, last)) -> obligations``."""
    boundaries: Callable[[Any, dt.date, dt.date], Iterable[dt.date]] = no_boundaries
    """``(rule, first day, last day) -> days on which results may change with no event``."""
    label: Mapping[str, str] = field(default_factory=dict)
    """The kind in words, by language (``vi``, ``en``), for ``packs show``."""
    idle_by: Callable[[Any, str], frozenset[str]] = never_idle
    """``(rule, role) -> attributes``: an event playing *role* that holds nothing (no value,
    or an empty list) in one of them takes part in no evaluation of *rule* (it still counts
    as used: see :class:`hanchot.ledger.Bindings`)."""


_KINDS: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> RuleKind:
    """Register *kind* (once; registering the same kind again is harmless) and return it."""
    known = _KINDS.get(kind.name)
    if known is not None:
        if known != kind:
            raise ValueError(f"rule kind {kind.name!r} is already registered by {known.model.__module__}")
        return known
    declared = kind.model.model_fields["kind"].annotation
    if getattr(declared, "__args__", None) != (kind.name,):
        raise ValueError(f"{kind.model.__name__}.kind must be Literal[{kind.name!r}]")
    add_rule_model(kind.model)
    _KINDS[kind.name] = kind
    return kind


def rule_kind(name: str) -> RuleKind:
    """The registered kind *name*; an :class:`UnknownNameError` naming the known ones."""
    found = _KINDS.get(name)
    if found is None:
        raise UnknownNameError(f"no rule kind {name!r}{suggest(name, _KINDS)}; kinds: {', '.join(sorted(_KINDS))}")
    return found


def rule_kinds() -> list[RuleKind]:
    """Every registered kind, by name."""
    return [_KINDS[k] for k in sorted(_KINDS)]


def load_plugins() -> None:
    """Import the kind modules named in ``HANCHOT_RULE_KINDS`` (each once; they register themselves)."""
    for name in os.environ.get(PLUGINS_VARIABLE, "").split(","):
        if name.strip():
            try:
                importlib.import_module(name.strip())
            except ImportError as exc:
                raise UnknownNameError(f"{PLUGINS_VARIABLE}: cannot import rule kind module {name.strip()!r}: {exc}") from None
