"""The OTIO plugin loads: entry point, manifest, every plugin module documented, light imports."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import opentimelineio as otio
import pytest

import fp_timeline_otio

PACKAGE = Path(fp_timeline_otio.__file__).resolve().parent
MANIFEST = json.loads((PACKAGE / "plugin_manifest.json").read_text())
PLUGIN_KINDS = ("adapters", "media_linkers", "hook_scripts")


def _plugins() -> list[dict]:
    return [entry for kind in PLUGIN_KINDS for entry in MANIFEST[kind]]


def test_manifest_names_real_files_and_hooks_known_scripts():
    assert _plugins(), "the manifest declares no plugins"
    for entry in _plugins():
        assert (PACKAGE / entry["filepath"]).is_file(), entry
    scripts = {entry["name"] for entry in MANIFEST["hook_scripts"]}
    for hook, attached in MANIFEST["hooks"].items():
        assert hook in ("pre_adapter_write", "post_adapter_read", "post_adapter_write", "post_media_linker")
        assert set(attached) <= scripts


@pytest.mark.parametrize("module", sorted({p.name for p in PACKAGE.glob("*.py")}))
def test_every_module_has_a_docstring(module):
    """otiopluginfo prints each plugin's docstring and crashes on a module without one."""
    assert ast.get_docstring(ast.parse((PACKAGE / module).read_text())), module


def test_otio_finds_our_plugins_through_the_entry_point():
    manifest = otio.plugins.ActiveManifest(force_reload=True)
    ours = [str(PACKAGE / "plugin_manifest.json")]
    assert any(Path(s).resolve() == Path(ours[0]) for s in manifest.source_files)
    assert "fp_edl" in otio.adapters.available_adapter_names()
    assert "fp_timeline_recipes" in otio.media_linker.available_media_linker_names()
    assert "fp_timeline_fcp_comments" in otio.hooks.scripts_attached_to("pre_adapter_write")
    for entry in MANIFEST["adapters"]:
        assert manifest.from_name(entry["name"]).module().__doc__


def test_otiopluginfo_lists_the_plugin():
    command = shutil.which("otiopluginfo", path=str(Path(sys.executable).parent)) or "otiopluginfo"
    result = subprocess.run([command], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert str(PACKAGE / "plugin_manifest.json") in result.stdout
    for entry in _plugins():
        assert entry["name"] in result.stdout


def test_adapters_import_neither_qt_nor_torch():
    code = (
        "import sys, fp_timeline_otio.export, fp_timeline_otio.relink, fp_timeline_otio.recipe_linker, "
        "fp_timeline_otio.edl_adapter, fp_timeline_otio.fcp_comments_hook\n"
        "heavy = ('torch', 'PySide6', 'diffusers', 'fp_timeline_plugins')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
