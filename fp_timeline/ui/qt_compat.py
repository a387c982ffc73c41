"""A guard for one broken combination: PySide6 6.12.0's abi3 wheel on CPython 3.10/3.11.

That build returns ``None`` from every void method (``setPos``, ``update``, ``QPainter.fillRect``,
...) without adding a reference, so each call takes one reference from ``None``; after some tens of
thousands of calls (a few seconds of playback) CPython aborts with "none_dealloc: deallocating
None".  CPython 3.12+ makes ``None`` immortal, so the same wheel is fine there, and PySide6 6.11 is
fine on 3.11.  The real fix is a pin (``pyside6-essentials!=6.12.0``) or Python >= 3.12; this guard
only keeps an editor that was installed that way from crashing: it checks for the leak and, if it
is there, gives ``None`` the effectively endless reference count 3.12 gives it.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject

PROBE_CALLS = 16
IMMORTAL_REFS = 1 << 40  # ~12 days of a million leaked references a second

log = logging.getLogger(__name__)


def none_leaks_per_call() -> float:
    """References to ``None`` lost per void Qt call (0 on a sound build)."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    return (before - sys.getrefcount(None)) / PROBE_CALLS


_guarded = False


def guard_none_refcount() -> bool:
    """Make ``None`` effectively immortal where this PySide6 build leaks it; True if it did.

    Idempotent; called by ``app.application()`` and by ``MainWindow`` (for embedders).
    """
    global _guarded
    if _guarded or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if hasattr(sys, "getobjects"):  # a Py_TRACE_REFS build: the refcount is not the first field
        return False
    if none_leaks_per_call() < 0.5:
        return False
    # ob_refcnt is the first field of every PyObject in release builds of CPython < 3.12.
    ctypes.c_ssize_t.from_address(id(None)).value += IMMORTAL_REFS
    _guarded = True
    log.warning("PySide6 build leaks references to None; guarded (install pyside6-essentials!=6.12.0 to fix)")
    return True
