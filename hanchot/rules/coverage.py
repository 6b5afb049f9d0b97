"""What a plan asks, duty by duty, against the rules that check it (the coverage data).

Each built-in pack has, beside it in ``hanchot/rules/packs/coverage/PACK.yaml``, the list
of the dated or periodic duties of its plan: where the plan says it (``source``), the
plan's own words (``quote``; "…" marks a cut), and either the rules that encode it
(``rules``) or why it is not checked from events (``not_checked``). It also says whether
the plan brings communes in (Decision 19/2014/QĐ-TTg Art. 2 only encourages them).

The list is data so that the review of a pack against its plan is repeatable: the tests
check that every rule of the pack is listed, that every listed rule exists, and that every
quote is in the plan. ``hanchot packs coverage PACK`` shows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from hanchot.errors import RulePackError

_PACKAGE = "hanchot.rules.packs"
_FOLDER = "coverage"


@dataclass(frozen=True)
class Duty:
    """One duty of a plan and how hanchot treats it."""

    source: str
    quote: str
    rules: tuple[str, ...] = ()
    not_checked: str | None = None
    note: str | None = None
    plan: str | None = None  # the seed the quote is from, when not the pack's own plan

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (absent fields omitted)."""
        out: dict[str, Any] = {"source": self.source, "quote": self.quote}
        if self.rules:
            out["rules"] = list(self.rules)
        for key in ("not_checked", "note"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class Communes:
    """Whether the plan binds commune People's Committees, and the line that says so."""

    bound: bool
    source: str
    quote: str
    note: str | None = None


@dataclass(frozen=True)
class Coverage:
    """The duties of one pack's plan."""

    pack: str
    plan: str
    communes: Communes
    duties: tuple[Duty, ...]

    def rules_listed(self) -> set[str]:
        """Every rule id some duty names."""
        return {rule for duty in self.duties for rule in duty.rules}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        communes: dict[str, Any] = {
            "bound": self.communes.bound,
            "source": self.communes.source,
            "quote": self.communes.quote,
        }
        if self.communes.note:
            communes["note"] = self.communes.note
        return {
            "pack": self.pack,
            "plan": self.plan,
            "communes": communes,
            "duties": [d.to_dict() for d in self.duties],
        }


def load_coverage(pack_id: str) -> Coverage:
    """The coverage data of the built-in pack *pack_id*; a clear error if it has none."""
    where = f"hanchot/rules/packs/{_FOLDER}/{pack_id}.yaml"
    resource = resources.files(_PACKAGE).joinpath(_FOLDER).joinpath(f"{pack_id}.yaml")
    if not resource.is_file():
        raise RulePackError(f"{where}: no coverage data for pack {pack_id!r} (built-in packs only)")
    data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    try:
        communes = Communes(**data["communes"])
        duties = tuple(
            Duty(**{**d, "rules": tuple(d.get("rules") or ()), "plan": d.get("plan")})
            for d in data["duties"]
        )
        coverage = Coverage(str(data["pack"]), str(data["plan"]), communes, duties)
    except (KeyError, TypeError) as exc:
        raise RulePackError(f"{where}: expected pack, plan, communes and duties: {exc}") from None
    for number, duty in enumerate(duties, start=1):
        if bool(duty.rules) == bool(duty.not_checked):
            raise RulePackError(
                f"{where}: duty {number} ({duty.source}): expected either 'rules' or 'not_checked'"
            )
    return coverage


def normalise(text: str) -> str:
    """NFC, one space for every run of whitespace: how quotes are compared with plans."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def quote_found(quote: str, plan_text: str) -> bool:
    """Whether every part of *quote* between cuts ("…", "...") is in *plan_text*, in order."""
    text = normalise(plan_text)
    at = 0
    for part in re.split(r"…|\.\.\.", quote):
        part = normalise(part)
        if not part:
            continue
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True
