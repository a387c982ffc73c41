"""The guard against PySide6 6.12.0 + CPython 3.11 taking a reference from None on every void call."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import sys  # noqa: E402

import pytest  # noqa: E402

pytestmark = pytest.mark.gui


def test_many_void_qt_calls_do_not_use_up_none():
    from PySide6.QtCore import QObject

    from fp_timeline.ui.app import application

    application()  # applies the guard where needed
    probe = QObject()
    for _ in range(200_000):  # more than None's references in a fresh interpreter
        probe.setObjectName("probe")
    assert sys.getrefcount(None) > 1000
