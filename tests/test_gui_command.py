"""``fp-timeline gui``: registered on the CLI, and Qt stays out of every other command's import."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
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


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_the_window_opens_on_a_real_x11_display(tmp_path):
    """``fp-timeline gui PROJECT`` under Xvfb: the xcb platform plugin, a real window, then quit."""
    from tests.gui_helpers import sample_copy

    project = sample_copy(tmp_path)
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from fp_timeline.cli import app\n"
        "from fp_timeline.ui.app import application\n"
        "application()  # the timers below need the application to exist\n"
        "def quit_soon():\n"
        "    w = next(w for w in QApplication.topLevelWidgets() if w.objectName() == 'main_window')\n"
        "    print(QApplication.platformName(), w.isVisible(), len(w.timeline.view.items), flush=True)\n"
        "    w.close()\n"
        "QTimer.singleShot(1000, quit_soon)\n"
        "QTimer.singleShot(30000, lambda: __import__('os')._exit(3))  # never hang the test run\n"
        f"sys.argv = ['fp-timeline', 'gui', {str(project)!r}]\n"
        "app()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"} | {"HOME": str(tmp_path)}
    # Its own session, so a hang can be killed with Xvfb and all.
    proc = subprocess.Popen(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the editor did not quit under Xvfb")
    if "could not load the Qt platform plugin" in stderr:
        pytest.skip("the xcb platform plugin's libraries are missing (libxcb-cursor0 and friends)")
    assert proc.returncode == 0, stderr[-2000:]
    assert "xcb True 4" in stdout


def test_the_process_ends_promptly_once_the_window_closes(tmp_path):
    """A library thread still running at exit (as model code leaves behind) must not keep a closed
    editor alive: ``fp-timeline gui`` ends the process once the window has closed."""
    from tests.gui_helpers import fresh_clips_project

    project = fresh_clips_project(tmp_path)
    script = tmp_path / "run.py"
    script.write_text(
        "import os, sys, threading, time\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from fp_timeline.cli import app\n"
        "from fp_timeline.ui.app import application\n"
        "application()\n"
        "threading.Thread(target=time.sleep, args=(60,)).start()  # a lingering non-daemon worker\n"
        "def quit_soon():\n"
        "    w = next(w for w in QApplication.topLevelWidgets() if w.objectName() == 'main_window')\n"
        "    print('closing', len(w.timeline.view.items), flush=True)\n"
        "    w.close()\n"
        "QTimer.singleShot(300, quit_soon)\n"
        f"sys.argv = ['fp-timeline', 'gui', {str(project)!r}]\n"
        "app()\n"
    )
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        stdout, stderr = proc.communicate(timeout=45)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the editor process outlived its window by more than the test allows")
    assert proc.returncode == 0, stderr[-2000:]
    assert "closing 3" in stdout
