"""The JSON Schemas of hanchot's formats, generated from the pydantic models.

The files in ``hanchot/schemas`` are generated, committed and held equal to a
fresh generation by a test, so a model change cannot leave them stale.
Regenerate with ``python -m hanchot.inputs.schemas``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hanchot.errors import UnknownNameError, suggest

VERSION = 1
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

# kind -> (module, model name, title, description)
_KINDS: dict[str, tuple[str, str, str, str]] = {
    "agency": (
        "hanchot.inputs.records",
        "Agency",
        "hanchot agency",
        (
            "One agency of an agency list: a CSV row (tags ';'-separated in one cell) "
            "or an item of a YAML list."
        ),
    ),
    "event": (
        "hanchot.inputs.records",
        "EventRecord",
        "hanchot event",
        (
            "One input event: a JSON Lines object or a CSV row. Keys that are not "
            "reserved are attributes of the event; null or \"\" means absent."
        ),
    ),
    "rule-pack": (
        "hanchot.rules.model",
        "RulePack",
        "hanchot rule pack",
        "A rule pack: the obligations a legal text or a plan imposes (a YAML document).",
    ),
}
KINDS = tuple(_KINDS)


def _model(kind: str) -> type[BaseModel]:
    import importlib

    module, name, _, _ = _KINDS[kind]
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model


def file_name(kind: str) -> str:
    """The schema's file name, e.g. ``agency.v1.schema.json``."""
    return f"{kind}.v{VERSION}.schema.json"


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of *kind* (``agency``, ``event`` or ``rule-pack``)."""
    if kind not in _KINDS:
        raise UnknownNameError(f"unknown schema {kind!r}; expected one of {', '.join(KINDS)}{suggest(kind, KINDS)}")
    _, _, title, description = _KINDS[kind]
    body = _model(kind).model_json_schema()
    body.pop("title", None)
    body.pop("description", None)
    return {
        "$schema": DIALECT,
        "$id": f"urn:hanchot:schema:{kind}:v{VERSION}",
        "title": f"{title} (format version {VERSION})",
        "description": description,
        "version": VERSION,
        **body,
    }


def render(kind: str) -> str:
    """The schema as the committed file's text: sorted keys, indent 2, a final newline."""
    return json.dumps(schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_event_type(event_type: str) -> str:
    """The JSON Schema of one type of the event vocabulary (its typed attributes), as text."""
    from hanchot.inputs.vocabulary import VERSION as VOCABULARY_VERSION
    from hanchot.inputs.vocabulary import VOCABULARY, type_schema

    if event_type not in VOCABULARY:
        raise UnknownNameError(
            f"no event type {event_type!r} in vocabulary v{VOCABULARY_VERSION}{suggest(event_type, VOCABULARY)}; "
            f"types: {', '.join(sorted(VOCABULARY))}"
        )
    body = {
        "$schema": DIALECT,
        "$id": f"urn:hanchot:schema:event:{event_type}:v{VOCABULARY_VERSION}",
        "title": f"hanchot event '{event_type}' (vocabulary version {VOCABULARY_VERSION})",
        "allOf": [{"$ref": f"urn:hanchot:schema:event:v{VERSION}"}],
        **type_schema(event_type),
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema file into *directory*; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = directory / file_name(kind)
        path.write_bytes(render(kind).encode("utf-8"))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all():
        print(written_path)
