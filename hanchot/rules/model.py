"""The rule pack format (version 1), as pydantic models.

A rule pack is a YAML document that declares the obligations a legal text or a
plan imposes. These models are the single source of truth for the format: the
loader validates with them and ``hanchot schema`` publishes their JSON Schema.

Parameters: any string value of the exact form ``${name}`` anywhere in a rule is
replaced by the value of the pack parameter ``name`` before validation (see
:mod:`hanchot.rules.loader`), so one reading of an ambiguous text is changed in
one place and a what-if can change it without editing the pack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal, Protocol, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from hanchot.calendar import Duration, PeriodKind, Roll
from hanchot.text import Text

Scalar = str | int | float | bool

ATTRIBUTE_OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists")


class _Model(BaseModel):
    """Strict base: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Basis(_Model):
    """The legal basis of a rule: which document and where in it."""

    document: str = Field(description="Document number, e.g. '19/2014/QĐ-TTg'.")
    article: str | None = Field(default=None, description="Article, section or table row.")
    source: str | None = Field(
        default=None, description="Where the text is quoted from, e.g. '000 §II.6'."
    )

    def cite(self) -> str:
        """One line citation: 'document, article (source)'."""
        text = ", ".join(p for p in (self.document, self.article) if p)
        return f"{text} ({self.source})" if self.source else text


class Condition(_Model):
    """A condition on one event attribute; every given operator must hold.

    ``eq``/``ne`` compare with ``==``; ``in``/``not_in`` test membership in a
    list; ``gt``/``gte``/``lt``/``lte`` hold only for numbers; ``exists``
    tests presence. A missing attribute fails every operator but
    ``ne``, ``not_in`` and ``exists: false``.
    """

    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    exists: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not self.operators():
            raise ValueError(f"a condition needs one of {', '.join(ATTRIBUTE_OPERATORS)}")
        return self

    def operators(self) -> list[tuple[str, Any]]:
        """The (operator, operand) pairs that are set, in a fixed order."""
        out = []
        for op in ATTRIBUTE_OPERATORS:
            value = getattr(self, "in_" if op == "in" else op)
            if value is not None:
                out.append((op, value))
        return out


class Pattern(_Model):
    """Which events play a role: an event type and conditions on attributes.

    ``where`` maps an attribute to a value (equality) or a :class:`Condition`.
    """

    type: str
    where: dict[str, Scalar | Condition] = Field(default_factory=dict)

    def conditions(self) -> list[tuple[str, Condition]]:
        """The conditions sorted by attribute, plain values turned into ``eq``."""
        return [
            (name, value if isinstance(value, Condition) else Condition(eq=value))
            for name, value in sorted(self.where.items())
        ]


Selector = dict[str, Scalar | list[Scalar]]
"""Agency selector: field -> value or list of values; ``tags`` matches any tag."""


class Selectable(Protocol):
    """What a rule needs of an agency to decide whether it binds it."""

    def matches(self, selector: Selector) -> bool:
        """Whether every entry of *selector* holds: a test of the (hashable) values of the
        attributes it names alone."""


S = TypeVar("S", bound=Selectable)


class Correlation(_Model):
    """Ties a fulfilment event to its trigger: equal attribute values.

    ``trigger`` names an attribute of the trigger event (``id`` is the event's
    own id); ``fulfilment`` names one of the fulfilling event. When the
    fulfilment attribute is a list, the trigger value must be one of its items.
    """

    trigger: str
    fulfilment: str


class Due(_Model):
    """When a periodic obligation is due, relative to its period.

    ``at: end`` is the period's last day. Otherwise ``day`` of ``month`` (the
    k-th month of the period, 1-based, or ``first``/``last``). With
    ``before_inclusive`` set, the date is a "before day X" (*trước ngày X*)
    deadline: ``false`` makes the last compliant day X-1.
    """

    at: Literal["end"] | None = None
    day: int | None = Field(default=None, ge=1, le=31)
    month: int | Literal["first", "last"] | None = None
    before_inclusive: bool | None = None
    roll: Roll = Roll.NONE

    @model_validator(mode="after")
    def _one_form(self) -> Due:
        if (self.at is None) == (self.day is None):
            raise ValueError("give either 'at: end' or 'day' (with 'month')")
        return self


class FixedDue(_Model):
    """A dated milestone: a calendar date, read as "by" or "before" it."""

    date: dt.date
    before_inclusive: bool | None = None
    roll: Roll = Roll.NONE


class Window(_Model):
    """Months of the period a plan names for the work (e.g. "Quý III, IV": 7..12).

    With ``enforced`` (the pack parameter ``named_quarters_are_windows``), only
    events inside these months count and the duty opens on the window's first
    day; without it the named quarters are read as a deadline (by the period's
    due date) and an earlier event of the period counts too.
    """

    first_month: int = Field(ge=1, le=12)
    last_month: int = Field(ge=1, le=12)
    enforced: bool = True


class RuleBase(_Model):
    """What every rule kind has: id, title, basis, whom it binds, when it is active.

    A kind's model adds ``kind: Literal["name"]``, its own fields, and
    :meth:`roles` (see :mod:`hanchot.rules.kinds`).
    """

    merge_default: ClassVar[Literal["transfer", "lapse"]] = "lapse"
    """What becomes of an open duty of an agency merged away, unless ``on_merge`` says."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: Text
    basis: list[Basis] = Field(min_length=1)
    applies_to: Selector = Field(
        default_factory=dict, description="Agencies the rule binds; empty: all."
    )
    exempt: Selector = Field(
        default_factory=dict,
        description="Agencies the rule does not bind even when applies_to selects them "
        "(e.g. {tags: dost}: the DOST does not report to itself); empty: none.",
    )
    note: str | None = None
    on_merge: Literal["transfer", "lapse"] | None = Field(
        default=None,
        description="What happens to an open obligation when its agency is merged away: "
        "'transfer' to the successor (default for 'within') or 'lapse' "
        "(default for period and milestone rules, whose successor has its own).",
    )
    active_from: dt.date | None = Field(
        default=None, description="Only periods or triggers on or after this date."
    )
    active_to: dt.date | None = Field(
        default=None, description="Only periods or triggers on or before this date."
    )

    @property
    def merge_policy(self) -> Literal["transfer", "lapse"]:
        """``on_merge``, or the kind's default: 'transfer' for ``within``, 'lapse' for the rest."""
        return self.on_merge if self.on_merge is not None else self.merge_default

    def roles(self) -> list[tuple[str, Pattern]]:
        """The roles an event may play in this rule, each with its pattern."""
        raise NotImplementedError(f"rule kind {type(self).__name__} names no roles")

    def binds(self, agency: Selectable) -> bool:
        """Whether the rule binds *agency*: selected by ``applies_to``, not by ``exempt``."""
        return agency.matches(self.applies_to) and not (self.exempt and agency.matches(self.exempt))

    def bound(self, agencies: Iterable[S]) -> list[S]:
        """The agencies of *agencies* the rule :meth:`binds`, in their order. A selector reads
        only the fields it names, so the agencies that agree on those are asked once (a
        country's 4,000 agencies are a few kinds to a rule)."""
        names = sorted({*self.applies_to, *self.exempt})
        if not names:  # (most rules) no field read: one verdict for every agency
            everyone = list(agencies)
            return everyone if everyone and self.binds(everyone[0]) else []
        verdicts: dict[tuple[object, ...], bool] = {}
        out = []
        for agency in agencies:
            key = tuple([getattr(agency, name, None) for name in names])
            verdict = verdicts.get(key)
            if verdict is None:
                verdict = verdicts[key] = self.binds(agency)
            if verdict:
                out.append(agency)
        return out

    @field_validator("basis", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value


class WithinRule(RuleBase):
    """A trigger event opens an obligation due a duration later (Civil Code)."""

    merge_default: ClassVar[Literal["transfer", "lapse"]] = "transfer"

    kind: Literal["within"]
    trigger: Pattern
    fulfilment: Pattern
    correlate: list[Correlation] = Field(default_factory=list)
    within: Duration | None = Field(
        default=None, description="Duration after the trigger's date; none: no deadline."
    )
    due: FixedDue | None = Field(
        default=None, description="A fixed date that replaces the counted deadline."
    )
    count_first_day: bool = False
    roll: Roll = Roll.FOLLOWING

    @field_validator("within", mode="before")
    @classmethod
    def _parse_duration(cls, value: Any) -> Any:
        return Duration.parse(value) if isinstance(value, str) else value

    def roles(self) -> list[tuple[str, Pattern]]:
        """A trigger opens the duty, a fulfilment meets it."""
        return [("trigger", self.trigger), ("fulfilment", self.fulfilment)]


class EveryRule(RuleBase):
    """At least ``count`` matching events in each period."""

    kind: Literal["every"]
    period: PeriodKind
    count: int = Field(default=1, ge=1)
    match: Pattern
    window: Window | None = None
    period_attribute: str | None = Field(
        default=None,
        description="Attribute naming the period an event is for (e.g. a report's "
        "'period'); without it, the event counts for the period of its date.",
    )
    due: Due = Field(default_factory=lambda: Due(at="end"))

    def roles(self) -> list[tuple[str, Pattern]]:
        """Matching events count for their period."""
        return [("match", self.match)]


class OnceRule(RuleBase):
    """A dated milestone of a plan, met by one matching event."""

    kind: Literal["once"]
    match: Pattern
    due: FixedDue | None = Field(
        default=None, description="The plan's date; none: the text sets no date (open until met)."
    )
    earliest: dt.date | None = None

    def roles(self) -> list[tuple[str, Pattern]]:
        """One matching event meets the milestone."""
        return [("match", self.match)]


class CoverageRule(RuleBase):
    """A coordinating agency covers at least ``percent`` of a population per period."""

    kind: Literal["coverage"]
    period: PeriodKind
    match: Pattern
    target_attribute: str = "target"
    population: Selector
    same_province: bool = True
    population_active: Literal["end", "any"] = Field(
        default="end",
        description="Which agencies the population counts: those still active on the period's "
        "last day ('end': a body merged away mid-period is not owed an inspection), or every "
        "agency active on any day of the period ('any').",
    )
    percent: float = Field(gt=0, le=100)
    due: Due = Field(default_factory=lambda: Due(at="end"))

    def roles(self) -> list[tuple[str, Pattern]]:
        """Matching events (inspections) name the agency they cover."""
        return [("match", self.match)]


Rule = Annotated[WithinRule | EveryRule | OnceRule | CoverageRule, Field(discriminator="kind")]


class Parameter(_Model):
    """A named reading of an ambiguous text, with its default and the text it reads."""

    default: Scalar
    note: str = Field(description="The text this parameter interprets, and the reading chosen.")


class Validity(_Model):
    """The dates a pack applies to (inclusive)."""

    from_: dt.date = Field(alias="from")
    to: dt.date | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Document(_Model):
    """A legal document or plan a pack encodes."""

    number: str
    title: str
    source: str | None = None


class RulePack(_Model):
    """A validated, fully resolved rule pack (after ``extends`` and parameters)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: Text
    documents: list[Document] = Field(default_factory=list)
    valid: Validity
    extends: str | None = None
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    values: dict[str, Scalar] = Field(
        default_factory=dict, description="Parameter values in force (defaults + overrides)."
    )
    parameter_uses: dict[str, list[str]] = Field(
        default_factory=dict, description="Resolved: parameter -> ids of the rules that use it."
    )
    rules: list[Rule] = Field(default_factory=list)

    def rule(self, rule_id: str) -> AnyRule:
        """Return the rule *rule_id*; raise :class:`UnknownNameError` naming the known ones."""
        from hanchot.errors import UnknownNameError, suggest

        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        ids = [r.id for r in self.rules]
        raise UnknownNameError(
            f"pack {self.id!r} has no rule {rule_id!r}{suggest(rule_id, ids)}"
        )


AnyRule = WithinRule | EveryRule | OnceRule | CoverageRule
"""The built-in kinds (a registered kind's rules are :class:`RuleBase` instances too)."""

_BUILTIN_MODELS: tuple[type[RuleBase], ...] = (WithinRule, EveryRule, OnceRule, CoverageRule)
_RULE_MODELS: list[type[RuleBase]] = list(_BUILTIN_MODELS)


def rule_model_names() -> tuple[str, ...]:
    """The ``kind`` of every rule model a pack may use."""
    return tuple(m.model_fields["kind"].annotation.__args__[0] for m in _RULE_MODELS)  # type: ignore[union-attr]


def add_rule_model(model: type[RuleBase]) -> None:
    """Let packs use *model* (see :func:`hanchot.rules.kinds.register`)."""
    if model not in _RULE_MODELS:
        _RULE_MODELS.append(model)


_PACK_MODELS: dict[tuple[type[RuleBase], ...], type[RulePack]] = {}


def pack_model() -> type[RulePack]:
    """The model a pack validates with: :class:`RulePack`, whose rules may be of every added kind.

    With only the built-in kinds it is :class:`RulePack` itself (whose JSON
    Schema ``hanchot schema rule-pack`` publishes); with more, a subclass whose
    ``rules`` union holds them too.
    """
    models = tuple(_RULE_MODELS)
    if len(models) == len(_BUILTIN_MODELS):
        return RulePack
    found = _PACK_MODELS.get(models)
    if found is None:
        union = Annotated[Union[models], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
        found = create_model(
            "RulePack", __base__=RulePack, __module__=RulePack.__module__, rules=(list[union], Field(default_factory=list))
        )
        _PACK_MODELS[models] = found
    return found
