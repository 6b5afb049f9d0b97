"""Read the agency list (format version 1) from CSV or YAML.

One agency a row (CSV) or a list item (YAML), with the fields of
:class:`~hanchot.inputs.records.Agency`: ``id``, ``name``, ``level``,
``parent``, ``province``, ``active_from``, ``active_to``, ``successor`` and
``tags`` (``;``-separated in a CSV cell, a list in YAML). An empty CSV cell is
an absent field.

Agency files are small, so loading is strict: every problem in the file is
collected and one :class:`~hanchot.errors.InputError` lists them all, one a
line, each as ``file:line: field 'x': what was expected``. Besides the field
rules, these are errors: a repeated id, a ``parent`` or ``successor`` naming no
agency in the file, ``active_to`` before ``active_from``, a cycle of parents or
of successors, and a file with no agency at all (an empty export).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hanchot.errors import InputError
from hanchot.inputs.records import Agency
from hanchot.safe_yaml import StrictLoader, YamlProblem, check_size
from hanchot.safe_yaml import where as at

CSV_SUFFIXES = (".csv",)
YAML_SUFFIXES = (".yaml", ".yml")
_FIELDS = tuple(Agency.model_fields)

_Problem = tuple[int, str, str]  # (line, field, reason)
_Row = tuple[int, dict[str, int], Agency]  # (line, {field: line}, agency)


def read_agencies(path: str | os.PathLike[str]) -> list[Agency]:
    """Read and check an agency file (``.csv``, ``.yaml`` or ``.yml``); return the agencies by id.

    Raise :class:`InputError` listing every problem with file, line and field.
    """
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    if suffix not in CSV_SUFFIXES + YAML_SUFFIXES:
        raise InputError(f"{name}: an agency file is .csv, .yaml or .yml, got {suffix or 'no suffix'!r}")
    try:
        with open(name, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except OSError as exc:
        raise InputError(f"{name}: cannot read the agency file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    problems: list[_Problem] = []
    if suffix in CSV_SUFFIXES:
        rows = _csv_rows(text, problems)
    else:
        rows = _yaml_rows(name, text, problems)
    agencies: list[_Row] = []
    for line, field_lines, data in rows:
        unknown = [k for k in data if k not in _FIELDS]
        for key in unknown:
            problems.append(
                (field_lines.get(key, line), str(key), f"unknown field; expected one of {', '.join(_FIELDS)}")
            )
        if unknown:
            continue
        try:
            agencies.append((line, field_lines, Agency.model_validate(data)))
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else "(row)"
                if err["type"] == "missing":
                    reason = "required, a non-empty value" if field == "id" else "required"
                else:
                    reason = f"{err['msg']}, got {err['input']!r}"
                problems.append((field_lines.get(field, line), field, reason))
    problems.extend(_check_links(agencies))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise InputError("\n".join(f"{name}:{line}: field {field!r}: {reason}" for line, field, reason in problems))
    if not agencies:
        # A failed export must not turn the nightly run green: no agency, nothing checked.
        raise InputError(f"{name}: no agencies in the file; an agency list must name at least one")
    return sorted((agency for _, _, agency in agencies), key=lambda a: a.id)


def _csv_rows(text: str, problems: list[_Problem]) -> list[tuple[int, dict[str, int], dict[str, Any]]]:
    """(line, {}, row mapping) for each non-blank CSV row; add problems found on the way."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    bad = [h for h in header if h not in _FIELDS]
    for h in bad:
        problems.append((1, h, f"unknown column; expected one of {', '.join(_FIELDS)}"))
    for h in sorted({h for h in header if header.count(h) > 1}):
        problems.append((1, h, "repeated column"))
    for h in ("id", "level"):
        if header and h not in header:
            problems.append((1, h, "missing column (required)"))
    if problems:
        return []
    out: list[tuple[int, dict[str, int], dict[str, Any]]] = []
    for row in reader:
        line = reader.line_num
        if None in row:  # more cells than columns
            problems.append((line, "(row)", f"{len(header) + len(row[None])} cells, expected {len(header)}"))
            continue
        if all(not (v or "").strip() for v in row.values()):
            continue
        out.append((line, {}, {k: v for k, v in row.items() if v not in ("", None)}))
    return out


def _yaml_rows(name: str, text: str, problems: list[_Problem]) -> list[tuple[int, dict[str, int], Any]]:
    """(line, {field: line}, item mapping) for each YAML list item; add problems found on the way."""
    loader = StrictLoader(text)
    try:
        root = loader.get_single_node()
        check_size(root)
        if root is None:
            return []
        if not isinstance(root, yaml.SequenceNode):
            problems.append((root.start_mark.line + 1, "(file)", "expected a list of agencies (a mapping an item)"))
            return []
        out: list[tuple[int, dict[str, int], Any]] = []
        for item in root.value:
            line = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingNode):
                problems.append((line, "(item)", "expected a mapping of agency fields"))
                continue
            field_lines = {str(key.value): value.start_mark.line + 1 for key, value in item.value}
            out.append((line, field_lines, loader.construct_document(item)))
        return out
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise InputError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    except YamlProblem as exc:
        raise InputError(at(name, exc)) from None
    finally:
        loader.dispose()


def _check_links(agencies: list[_Row]) -> list[_Problem]:
    """Problems between rows: repeated ids, dangling references, dates, parent cycles."""
    problems: list[_Problem] = []
    first: dict[str, int] = {}
    for line, field_lines, agency in agencies:
        at = field_lines.get("id", line)
        if agency.id in first:
            problems.append((at, "id", f"repeated agency id {agency.id!r} (first on line {first[agency.id]})"))
        else:
            first[agency.id] = line
    for line, field_lines, agency in agencies:
        for field in ("parent", "successor"):
            target = getattr(agency, field)
            if target is None:
                continue
            if target not in first:
                problems.append((field_lines.get(field, line), field, f"expected an agency id of this file, got {target!r}"))
            elif target == agency.id:
                problems.append((field_lines.get(field, line), field, f"an agency cannot be its own {field}"))
        if agency.active_from and agency.active_to and agency.active_to < agency.active_from:
            reason = (
                f"expected a date on or after active_from {agency.active_from.isoformat()}, "
                f"got {agency.active_to.isoformat()}"
            )
            problems.append((field_lines.get("active_to", line), "active_to", reason))
    problems.extend(_cycles(agencies, "parent", "parents"))
    problems.extend(_cycles(agencies, "successor", "successors"))
    return problems


def _cycles(agencies: list[_Row], field: str, plural: str) -> list[_Problem]:
    """A problem on each agency that is part of a cycle of *field* links (parent, successor)."""
    links = {a.id: getattr(a, field) for _, _, a in agencies}
    problems: list[_Problem] = []
    for line, field_lines, agency in agencies:
        seen = {agency.id}
        target = links[agency.id]
        while target is not None and target != agency.id and target in links:
            if target in seen:
                break  # a cycle not through this agency: reported on its members
            seen.add(target)
            target = links[target]
        if target == agency.id and links[agency.id] != agency.id:
            problems.append((field_lines.get(field, line), field, f"a cycle of {plural} through {agency.id!r}"))
    return problems
