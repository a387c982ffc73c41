"""Test-wide settings: Qt draws offscreen (no display on CI), and torch stays on the 2 cores we have."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The window keeps settings and untitled autosaves under the XDG folders: give each test run its own, so a
# run never offers back another run's (or the user's) autosave.
_XDG_ROOT = tempfile.mkdtemp(prefix="fp-timeline-tests-")
atexit.register(shutil.rmtree, _XDG_ROOT, ignore_errors=True)
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
    os.environ[_name] = os.path.join(_XDG_ROOT, _name.lower())
os.environ.setdefault("OMP_NUM_THREADS", "2")


def pytest_sessionfinish(session, exitstatus):
    """Give back the clipboard before Qt shuts down: a QMimeData the app still owns there (the editor's
    copy/paste tests leave one) makes the offscreen platform crash the interpreter on exit (status 139)."""
    import sys

    if "PySide6.QtGui" in sys.modules:
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance()
        if app is not None:
            app.clipboard().clear()
