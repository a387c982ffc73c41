"""Start the editor: ``run(project)`` makes the QApplication, the dark theme and the window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from fp_timeline.ui.main_window import APP_NAME, MainWindow
from fp_timeline.ui.qt_compat import guard_none_refcount
from fp_timeline.ui.theme import apply_dark_theme


def application() -> QApplication:
    """The QApplication (created once), themed."""
    guard_none_refcount()  # before any Qt call can take None's references away
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    apply_dark_theme(app)
    return app


def run(project: Path | None = None) -> int:
    app = application()
    window = MainWindow()
    window.show()
    if project is None:
        window.recover_untitled()
    elif not window.open_project(project):
        return 2
    return app.exec()


def run_and_exit(project: Path | None = None) -> None:
    """``run``, then end the process at once.  Once the window has closed everything is saved (or
    discarded), and nothing is left to do: the interpreter's own teardown (finalising loaded models,
    joining library worker threads) only kept a closed editor alive for seconds."""
    code = run(project)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
