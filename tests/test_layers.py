"""The layering holds: each layer imports only the layers before it (checked in a clean interpreter)."""

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "diffusers", "transformers", "PySide6")


def imported_after(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {name.split(".")[0] for name in json.loads(out)}


@pytest.mark.parametrize(
    "module",
    [
        "fp_timeline.project.document",
        "fp_timeline.project.hashing",
        "fp_timeline.project.edits",
        "fp_timeline.project.timeline_edits",
        "fp_timeline.project.overwrite",
        "fp_timeline.engine.registry",
        "fp_timeline.engine.status",
        "fp_timeline.engine.postfx.jobs",
        "fp_timeline.engine.conform",
        "fp_timeline.project.effects",
        "fp_timeline_plugins.upscalers",
        "fp_timeline.cli",
        "fp_timeline_otio",
    ],
)
def test_no_torch_or_qt_below_plugins_and_ui(module):
    assert not imported_after(module) & (set(HEAVY) | {"ray"})


def test_project_layer_does_not_import_the_engine():
    code = (
        "import sys, fp_timeline.project.hashing, fp_timeline.project.edits, fp_timeline.project.rebase, "
        "fp_timeline.project.timeline_edits, fp_timeline.project.overwrite; "
        "print('fp_timeline.engine' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
