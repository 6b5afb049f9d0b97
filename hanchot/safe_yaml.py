"""The one YAML reader of hanchot: strict, bounded, and never a traceback.

Every YAML file hanchot reads (rule packs, agency lists, rule tests) goes
through :func:`load_yaml` or :class:`StrictLoader`. On top of PyYAML's safe
loader it refuses three things that would otherwise be mis-read or hang:

- a **repeated key** in one mapping (PyYAML keeps the last copy in silence);
- an **impossible date** written unquoted (``2025-02-30``: PyYAML raises a bare
  ``ValueError``); the error names the line and the value;
- **alias expansion** beyond :data:`MAX_NODES` nodes (a "billion laughs"
  document is a few lines of anchors that expand to 10⁹ nodes): the expanded
  size is counted on the node graph, each shared node once, before anything
  is built, so such a file is refused in milliseconds.

Errors are raised as the caller's own error class (``RulePackError``,
``InputError``), with ``file:line`` and the cause.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import yaml

# PyYAML's scanner and parser in C (libyaml, in PyYAML's wheels) read a rule pack about
# ten times faster; the constructors, and so what a document means, are the same Python.
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

__all__ = ["MAX_NODES", "StrictConstructor", "StrictLoader", "YamlProblem", "check_size", "load_yaml"]

# Far above any real pack (the largest built-in pack, expanded, is about 4,000 nodes),
# far below what makes a walk of the document slow.
MAX_NODES = 200_000


class YamlProblem(Exception):
    """A refused YAML document: *line* (1-based, or None) and *reason*."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class StrictConstructor(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor without silent repeated keys or crashing dates."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping, refusing a key given twice (PyYAML would keep the last)."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: PyYAML words that error itself
                continue
            if first is not None:
                raise YamlProblem(line, f"key {key!r} is repeated (first on line {first})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date | dt.datetime:
        """A date or timestamp, or a clear error for one that does not exist."""
        try:
            value: dt.date | dt.datetime = super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise YamlProblem(node.start_mark.line + 1, f"{node.value!r} is not a valid date ({exc})") from None
        return value

    yaml_constructors: ClassVar[dict[Any, Any]] = {  # (what add_constructor does, on this class)
        **yaml.constructor.SafeConstructor.yaml_constructors,
        "tag:yaml.org,2002:timestamp": construct_yaml_timestamp,
    }


class StrictLoader(StrictConstructor, _SafeLoader):
    """The safe loader (libyaml's where PyYAML has it) with :class:`StrictConstructor`."""


def check_size(root: yaml.Node | None, limit: int = MAX_NODES) -> None:
    """Refuse a node graph whose aliases expand to more than *limit* nodes."""
    if root is None:
        return
    sizes: dict[int, int] = {}
    # Post-order walk without recursion (a deep document must not hit the recursion limit).
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not expanded and children:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > limit:
            raise YamlProblem(
                node.start_mark.line + 1,
                f"the document expands to more than {limit:,} nodes (aliases of aliases?); refused",
            )
        sizes[id(node)] = total


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_yaml(text: str, loader_class: type[yaml.SafeLoader | _SafeLoader] = StrictLoader) -> Any:
    """Parse one YAML document strictly; raise :class:`YamlProblem` (with its line) if refused.

    Syntax errors of PyYAML are turned into :class:`YamlProblem` too, so a
    caller catches one exception and words it with its own file name.
    *loader_class*: the strict constructor on another parser (PyYAML's pure-Python
    one: the tests hold the two parsers to one reading).
    """
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        check_size(root)
        return None if root is None else loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlProblem(mark.line + 1 if mark is not None else None, f"not valid YAML ({problem})") from None
    except RecursionError:
        raise YamlProblem(None, "the document is nested too deeply") from None
    finally:
        loader.dispose()


def where(origin: str, problem: YamlProblem) -> str:
    """``file:line: reason`` (or ``file: reason``) for an error message."""
    at = f"{origin}:{problem.line}" if problem.line is not None else origin
    return f"{at}: {problem.reason}"
