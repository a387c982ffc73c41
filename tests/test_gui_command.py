"""``fp-timeline gui``: registered on the CLI, and Qt stays out of every other command's import."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from fp_timeline.cli import app


def test_gui_command_is_registered():
    result = CliRunner().invoke(app, ["gui", "--help"])
    assert result.exit_code == 0
    assert "editor window" in result.output


def test_importing_the_cli_does_not_import_qt():
    code = "import json, sys, fp_timeline.cli; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert not any(name.split(".")[0] == "PySide6" for name in json.loads(out))


def test_gui_command_opens_a_project_and_quits(tmp_path):
    """The real entry point in a child process, offscreen, closing itself once the window shows."""
    from tests.gui_helpers import sample_copy

    project = sample_copy(tmp_path)
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from fp_timeline.ui import app as ui_app\n"
        "def quit_soon():\n"
        "    w = next(w for w in QApplication.topLevelWidgets() if w.objectName() == 'main_window')\n"
        "    print(w.windowTitle(), len(w.timeline.view.items), flush=True); w.close()\n"
        "ui_app.application()\n"
        "QTimer.singleShot(300, quit_soon)\n"
        f"sys.exit(ui_app.run({str(project)!r}))\n"
    )
    env_home = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, env=env_home)
    assert result.returncode == 0, result.stderr
    assert "three_shots.otio — fp-timeline 4" in result.stdout


def test_gui_without_a_display_says_so():
    result = CliRunner().invoke(app, ["gui"], env={"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None})
    assert result.exit_code == 2
    assert "no display" in result.output
