"""The engine stays below plugins and UI: no torch, no Qt, even while it renders with the animatic."""

import json
import subprocess
import sys

HEAVY = {"torch", "diffusers", "transformers", "PySide6"}
MODULES = [
    "media",
    "store",
    "planner",
    "renderer",
    "executor",
    "conform",
    "extend",
    "split",
    "imported",
    "status",
    "validation",
]


def test_engine_modules_and_an_animatic_render_import_no_torch_or_qt(tmp_path):
    imports = "; ".join(f"import fp_timeline.engine.{m}" for m in MODULES)
    code = (
        f"import json, sys, pathlib; {imports}\n"
        "from tests.engine_helpers import rendered_chain\n"
        f"rendered_chain(pathlib.Path({str(tmp_path)!r}))\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = {name.split(".")[0] for name in json.loads(out)}
    assert "fp_timeline_plugins" in loaded  # the render really ran through the plugin
    assert not loaded & (HEAVY | {"ray"})  # Ray is optional: imported only when asked for
