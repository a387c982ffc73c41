"""No import goes round in a circle inside our packages, lazy (function-level) imports included.

Read from the source with ``ast``, nothing imported: every ``import``/``from ... import`` of one of our
modules is an edge, except those under ``if TYPE_CHECKING:`` (they never run).  A cycle is a strongly
connected group of modules (Tarjan); the test names its members.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"fp_timeline": ROOT / "fp_timeline", "fp_timeline_plugins": ROOT / "plugins"}


def modules_of(packages: dict[str, Path]) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package ``__init__``)."""
    found = {}
    for name, root in packages.items():
        for path in root.rglob("*.py"):
            parts = [name, *path.relative_to(root).with_suffix("").parts]
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imported_by(name: str, modules: dict[str, tuple[Path, bool]]) -> set[str]:
    """Our modules that ``name`` imports, at any depth of its code."""
    path, is_package = modules[name]
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    stack: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while stack:
        for node in ast.iter_child_nodes(stack.pop()):
            if _type_checking_only(node):
                continue
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    if target in modules:
                        found.add(target)
                    elif base in modules:
                        found.add(base)
            stack.append(node)
    found.discard(name)
    return found


def import_cycles(packages: dict[str, Path]) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a circle."""
    modules = modules_of(packages)
    graph = {name: imported_by(name, modules) for name in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan, iteratively (no recursion limit on deep chains)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        on_stack.append(start)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = on_stack[on_stack.index(node) :]
                    del on_stack[on_stack.index(node) :]
                    if len(group) > 1:
                        cycles.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                on_stack.append(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return cycles


def test_no_import_cycles_in_fp_timeline_and_plugins():
    assert import_cycles(PACKAGES) == []


def test_the_finder_sees_a_lazy_cycle_and_ignores_type_checking_imports(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from .sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from pkg import c\n")  # lazy: still an edge
    (package / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import e\n")
    (package / "e.py").write_text("from . import d\n")
    assert import_cycles({"pkg": package}) == [["pkg.a", "pkg.c", "pkg.sub.b"]]
