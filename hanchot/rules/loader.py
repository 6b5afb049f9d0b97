"""Load rule packs: built-in ids or YAML paths, ``extends``, parameters.

Loading is a pure function of the pack text and the overrides: the base pack is
never mutated, so a what-if is simply the same pack loaded with other values
(the OpenFisca "reform" idea).

Resolution order:
1. the base pack named by ``extends`` is resolved first (recursively);
2. the child's parameters are added to (or redefine the defaults of) the base's;
3. a child rule with a base rule's id is merged over it, field by field; a child
   may drop base rules with ``remove: [ids]``;
4. parameter values (defaults, then ``values``) replace every ``${name}``;
5. rule overrides (``{rule_id: {field: value}}``) are applied last;
6. the result is validated as a :class:`~hanchot.rules.model.RulePack`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hanchot.errors import RulePackError, UnknownNameError, suggest
from hanchot.rules.kinds import load_plugins
from hanchot.rules.model import RulePack, Scalar, pack_model, rule_model_names
from hanchot.safe_yaml import YamlProblem, load_yaml, where

_PARAM_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_PACKAGE = "hanchot.rules.packs"


def builtin_pack_ids() -> list[str]:
    """The ids of the packs shipped with hanchot, sorted."""
    folder = resources.files(_PACKAGE)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_pack(
    pack: str | Path,
    *,
    values: Mapping[str, Scalar] | None = None,
    rule_overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> RulePack:
    """Load and resolve a pack from a built-in id or a YAML path.

    *values* override parameter defaults; *rule_overrides* replace fields of
    single rules (``{"legal-update": {"within": "45 days"}}``). Unknown
    parameters and rules are errors that list the known ones.
    """
    load_plugins()
    raw, origin = _resolve(pack, seen=())
    known = raw.get("parameters", {})
    final_values = {name: spec.get("default") for name, spec in known.items()}
    for name, value in (values or {}).items():
        if name not in known:
            raise UnknownNameError(
                f"pack {raw.get('id')!r} has no parameter {name!r}{suggest(name, known)}; "
                f"its parameters: {', '.join(sorted(known)) or '(none)'}"
            )
        final_values[name] = _coerce_like(value, final_values[name])
    uses: dict[str, list[str]] = {name: [] for name in known}
    for rule in raw.get("rules", []):
        for name in sorted(_references(rule)):
            uses.setdefault(name, []).append(str(rule.get("id")))
    raw["rules"] = [_substitute(rule, final_values, origin) for rule in raw.get("rules", [])]
    raw["values"] = final_values
    raw["parameter_uses"] = uses
    if rule_overrides:
        _apply_rule_overrides(raw, rule_overrides)
    return _validate(raw, origin)


def _resolve(pack: str | Path, seen: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """Read *pack* and merge it over its ``extends`` chain (still unvalidated)."""
    raw, origin = _read(pack)
    pack_id = str(raw.get("id"))
    if pack_id in seen:
        raise RulePackError(f"{origin}: 'extends' forms a cycle: {' -> '.join(seen + (pack_id,))}")
    base_id = raw.get("extends")
    if not base_id:
        return raw, origin
    base_path = _sibling_or_builtin(base_id, pack)
    base, _ = _resolve(base_path, seen + (pack_id,))
    return _merge(base, raw, origin), origin


def _read(pack: str | Path) -> tuple[dict[str, Any], str]:
    path = Path(pack)
    if path.suffix in (".yaml", ".yml") or path.exists():
        origin = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RulePackError(f"{origin}: cannot read rule pack: {exc.strerror}") from exc
    else:
        ids = builtin_pack_ids()
        if str(pack) not in ids:
            raise UnknownNameError(
                f"no built-in pack {str(pack)!r}{suggest(str(pack), ids)}; "
                f"built-in packs: {', '.join(ids)}; or give a path to a .yaml file"
            )
        origin = f"{pack}.yaml (built-in)"
        text = resources.files(_PACKAGE).joinpath(f"{pack}.yaml").read_text(encoding="utf-8")
    try:
        data = load_yaml(text)
    except YamlProblem as exc:
        raise RulePackError(where(origin, exc)) from None
    if not isinstance(data, dict):
        raise RulePackError(f"{origin}: a rule pack is a YAML mapping, got {type(data).__name__}")
    _check_shape(data, origin)
    return data, origin


def _check_shape(data: dict[str, Any], origin: str) -> None:
    """Refuse the shapes resolution cannot walk (before pydantic sees the merged pack)."""

    def refuse(field: str, expected: str, got: Any) -> RulePackError:
        return RulePackError(f"{origin}: field {field}: expected {expected}, got {got!r}"[:500])

    for field in ("parameters", "rules", "remove", "extends"):
        if field in data and data[field] is None:
            del data[field]  # an empty YAML entry ("parameters:") is no entry
    parameters = data.get("parameters")
    if parameters is not None and (
        not isinstance(parameters, dict)
        or not all(isinstance(k, str) and k and isinstance(v, dict) for k, v in parameters.items())
    ):
        raise refuse("parameters", "a mapping of parameter name -> {default, note}", parameters)
    for field in ("rules", "remove"):
        value = data.get(field)
        if value is not None and not isinstance(value, list):
            raise refuse(field, "a list", value)
    for rule in data.get("rules") or []:
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            raise refuse("rules", "each rule a mapping with a string 'id'", rule)
    if not all(isinstance(r, str) for r in data.get("remove") or []):
        raise refuse("remove", "a list of rule ids", data.get("remove"))
    extends = data.get("extends")
    if extends is not None and not isinstance(extends, str):
        raise refuse("extends", "a pack id or file name", extends)


def _sibling_or_builtin(base_id: str, child: str | Path) -> str | Path:
    """A pack extends a file beside it if there is one, else a built-in pack."""
    sibling = Path(child).with_name(f"{base_id}.yaml")
    return sibling if Path(child).suffix in (".yaml", ".yml") and sibling.exists() else base_id


def _merge(base: dict[str, Any], child: dict[str, Any], origin: str) -> dict[str, Any]:
    merged = {**base, **{k: v for k, v in child.items() if k not in ("rules", "remove")}}
    merged["parameters"] = {**base.get("parameters", {}), **child.get("parameters", {})}
    for name, spec in child.get("parameters", {}).items():
        if name in base.get("parameters", {}) and "note" not in spec:
            merged["parameters"][name] = {**base["parameters"][name], **spec}
    rules = {r["id"]: dict(r) for r in base.get("rules", []) if isinstance(r, dict) and "id" in r}
    for rule_id in child.get("remove", []) or []:
        if rule_id not in rules:
            raise RulePackError(f"{origin}: 'remove' names unknown rule {rule_id!r}{suggest(rule_id, rules)}")
        del rules[rule_id]
    for rule in child.get("rules", []) or []:
        if isinstance(rule, dict) and rule.get("id") in rules:
            rules[rule["id"]] = {**rules[rule["id"]], **rule}
        elif isinstance(rule, dict) and "id" in rule:
            rules[rule["id"]] = rule
        else:
            raise RulePackError(f"{origin}: every rule needs an 'id', got {rule!r}")
    merged["rules"] = list(rules.values())
    return merged


def _substitute(value: Any, values: Mapping[str, Any], origin: str) -> Any:
    if isinstance(value, str):
        match = _PARAM_REF.match(value)
        if match:
            name = match.group(1)
            if name not in values:
                raise RulePackError(
                    f"{origin}: '${{{name}}}' names no parameter{suggest(name, values)}; "
                    f"parameters: {', '.join(sorted(values)) or '(none)'}"
                )
            return values[name]
        return value
    if isinstance(value, dict):
        return {k: _substitute(v, values, origin) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, values, origin) for v in value]
    return value


def _references(value: Any) -> set[str]:
    """The parameter names ``${name}`` referenced anywhere in *value*."""
    if isinstance(value, str):
        match = _PARAM_REF.match(value)
        return {match.group(1)} if match else set()
    if isinstance(value, dict):
        return set().union(*(_references(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_references(v) for v in value)) if value else set()
    return set()


def _coerce_like(value: Any, default: Any) -> Any:
    """Turn a command-line string into the type of the parameter's default."""
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    text = value.strip().lower()
    if isinstance(default, bool):
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0", "off"):
            return False
        raise RulePackError(f"expected true or false, got {value!r}")
    try:
        return type(default)(text)
    except ValueError as exc:
        raise RulePackError(f"expected a {type(default).__name__}, got {value!r}") from exc


def _apply_rule_overrides(raw: dict[str, Any], overrides: Mapping[str, Mapping[str, Any]]) -> None:
    """Set rule fields; a dotted field (``due.day``) reaches into a nested mapping."""
    by_id = {r.get("id"): r for r in raw["rules"]}
    for rule_id, fields in overrides.items():
        if rule_id not in by_id:
            raise UnknownNameError(f"pack {raw.get('id')!r} has no rule {rule_id!r}{suggest(rule_id, by_id)}")
        for path, value in fields.items():
            *parents, leaf = path.split(".")
            target = by_id[rule_id]
            for name in parents:
                child = target.get(name)
                if not isinstance(child, dict):
                    child = target[name] = {}
                target = child
            target[leaf] = value


def _validate(raw: dict[str, Any], origin: str) -> RulePack:
    try:
        pack = pack_model().model_validate(raw)
    except ValidationError as exc:
        raise RulePackError(_describe(exc, raw, origin)) from None
    _check_durations(pack, origin)
    return pack


# A counted deadline longer than this is a typo ("100000 years"): refused when the pack
# loads, naming the rule, rather than failing mid-evaluation on the calendar's year 9999.
MAX_WITHIN_YEARS = 100
_PER_YEAR = {"days": 366, "working days": 262, "weeks": 53, "months": 12, "years": 1}


def _check_durations(pack: RulePack, origin: str) -> None:
    for rule in pack.rules:
        within = getattr(rule, "within", None)
        if within is not None and within.amount > MAX_WITHIN_YEARS * _PER_YEAR[within.unit.value]:
            raise RulePackError(
                f"{origin}: rule {rule.id!r}: field 'within': {str(within)!r} is longer than "
                f"{MAX_WITHIN_YEARS} years; no plan counts a deadline that far"
            )


def _describe(exc: ValidationError, raw: dict[str, Any], origin: str) -> str:
    """Name the rule (by id) and the field of each validation error."""
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rules = raw.get("rules", [])
            rule_id = rules[loc[1]].get("id", f"#{loc[1] + 1}") if loc[1] < len(rules) else loc[1]
            # pydantic puts the discriminator value (the rule kind) in the path
            kinds = rule_model_names()
            rest = [str(p) for p in (loc[3:] if len(loc) > 2 and loc[2] in kinds else loc[2:])]
            where = f"rule {rule_id!r}, field {'.'.join(rest) or '(rule)'}"
        elif loc:
            where = f"field {where}"
        # A bilingual Text is a dataclass, for which pydantic words an unknown key differently
        msg = "Extra inputs are not permitted" if err["type"] == "unexpected_keyword_argument" else err["msg"]
        lines.append(f"{origin}: {where}: {msg}")
    return "\n".join(lines)
