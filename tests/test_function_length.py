"""The guide's size rule, checked: no function in the code we ship is over 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("fp_timeline", "otio_adapters", "plugins")
MAX_LINES = 60


def long_functions(folder: Path, root: Path = ROOT, limit: int = MAX_LINES) -> list[str]:
    """``path:line name (n lines)`` (path from ``root``) for every function or method in ``folder`` over
    ``limit`` lines."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > limit:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_is_over_60_lines():
    assert [f for folder in FOLDERS for f in long_functions(ROOT / folder)] == []


def test_the_scan_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "m.py").write_text(f"def short():\n    pass\n\n\ndef long():\n{body}\n")
    assert long_functions(tmp_path, root=tmp_path) == ["m.py:5 long (61 lines)"]
