"""The package's structure: no module reaches another's private members; no import cycle.

Both are checked on the source (AST), so they stay true as modules are added.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hanchot"


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return out


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, tree: ast.Module, is_package: bool, modules: set[str]) -> set[str]:
    """The hanchot modules *module* imports (anywhere in it: lazy imports count too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node, is_package)
            names = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names]
        else:
            continue
        found.update(n for n in names if n in modules and n != module)
    return found


def _defined_private_names(tree: ast.Module) -> set[str]:
    """Private names a module defines: functions, classes, attributes, variables."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias) and node.asname:
            names.add(node.asname)
    for node in ast.walk(tree):  # dataclass / slots fields declared in class bodies
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
    return {n for n in names if _private(n)}


def _foreign_modules(tree: ast.Module) -> set[str]:
    """Names bound to modules outside hanchot (``os._exit`` is the standard library's own API)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if not a.name.startswith("hanchot"))
    return names


def _reaches(module: str, tree: ast.Module, is_package: bool, modules: set[str]) -> list[str]:
    own = _defined_private_names(tree)
    foreign = _foreign_modules(tree)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _absolute(module, node, is_package)
            if target.split(".")[0] == "hanchot":
                problems += [f"{module}: from {target} import {a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in own:
            if isinstance(node.value, ast.Name) and node.value.id in foreign:
                continue
            problems.append(f"{module}:{node.lineno}: .{node.attr}")
    return problems


def test_no_module_reaches_a_private_member_of_another() -> None:
    """A private name (``_x``) is used only in the module that defines it."""
    trees = _modules()
    names = set(trees)
    packages = {m for m in names if (PACKAGE.parent / m.replace(".", "/") / "__init__.py").exists()}
    problems = [p for m, t in trees.items() for p in _reaches(m, t, m in packages, names)]
    assert problems == []


def test_no_import_cycle_inside_the_package() -> None:
    """The modules of hanchot import each other without a cycle (lazy imports included)."""
    trees = _modules()
    names = set(trees)
    packages = {m for m in names if (PACKAGE.parent / m.replace(".", "/") / "__init__.py").exists()}
    graph = {m: _imports(m, t, m in packages, names) for m, t in trees.items()}
    cycles = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if nxt in packages and node.startswith(nxt + "."):
                continue  # a module importing its own package's __init__ re-exports
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


MAX_FUNCTION_LINES = 80


def test_no_function_over_80_lines() -> None:
    """Every function of hanchot, from its ``def`` line to its last, is at most 80 lines long."""
    long = [
        f"{module}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for module, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
