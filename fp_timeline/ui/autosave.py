"""Autosave and crash recovery.

While the project has unsaved edits, a copy is written every ``interval`` seconds to
``<stem>.fp/autosave.otio`` (untitled projects: the app's data folder).  The copy is the timeline
exactly as in memory (paths still relative to the project file), so recovery reads it back as the
original project.  A clean save or a clean close deletes it; finding one newer than the project
when opening means the app did not close cleanly.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import opentimelineio as otio
from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from fp_timeline.project.atomic import write_text_atomic
from fp_timeline.project.document import Project, read_timeline
from fp_timeline.ui.document import ProjectDocument

DEFAULT_INTERVAL_S = 60
AUTOSAVE_NAME = "autosave.otio"


def untitled_dir() -> Path:
    """Where untitled projects autosave (one file per running editor, named by process id)."""
    base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    return (Path(base) if base else Path.home() / ".fp-timeline") / "autosave"


def autosave_path(project: Project, untitled: bool) -> Path:
    if untitled:
        return untitled_dir() / f"untitled-{os.getpid()}.otio"
    return project.data_dir / AUTOSAVE_NAME


def _autosave_beside(project_path: Path) -> Path:
    """Where a saved project's autosave lives, from its path alone (``Project.data_dir`` / autosave.otio)."""
    return project_path.parent / f"{project_path.stem}.fp" / AUTOSAVE_NAME


def orphaned_untitled() -> list[Path]:
    """Autosaves of untitled projects whose editor is gone (crashed), newest first."""
    found = []
    for path in untitled_dir().glob("untitled-*.otio"):
        pid = path.stem.removeprefix("untitled-")
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True


def recoverable(project_path: Path) -> Path | None:
    """An autosave newer than the project file, left by a session that did not end cleanly."""
    project_path = Path(project_path).resolve()
    candidate = _autosave_beside(project_path)
    if candidate.is_file() and (
        not project_path.exists() or candidate.stat().st_mtime_ns > project_path.stat().st_mtime_ns
    ):
        return candidate
    return None


def read_autosave(autosave: Path, project_path: Path) -> Project:
    """The autosaved timeline as the project at ``project_path`` (paths relative to it, as saved)."""
    timeline, _ = read_timeline(autosave)
    return Project(path=Path(project_path).resolve(), timeline=timeline)


def discard(project_path: Path) -> None:
    with contextlib.suppress(OSError):
        _autosave_beside(Path(project_path).resolve()).unlink()


class Autosaver(QObject):
    failed = Signal(str)  # why an autosave could not be written

    def __init__(self, document: ProjectDocument, interval_s: float = DEFAULT_INTERVAL_S, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.last_path: Path | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_s * 1000))
        self._timer.timeout.connect(self.on_timer_timeout)
        self._timer.start()
        document.saved.connect(self.on_document_saved)
        document.project_replaced.connect(self.on_document_project_replaced)

    def on_timer_timeout(self) -> None:
        if self.document.dirty:
            self.try_save()

    def try_save(self) -> Path | None:
        """Autosave, reporting (not raising) a failure: a full disk must not stop the editing."""
        try:
            return self.save_now()
        except OSError as err:
            self.failed.emit(str(err))
            return None

    def save_now(self) -> Path:
        path = autosave_path(self.document.project, self.document.untitled)
        text = otio.adapters.write_to_string(self.document.project.timeline, adapter_name="otio_json")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text)
        self.last_path = path
        return path

    def remove(self) -> None:
        if self.last_path is not None:
            with contextlib.suppress(OSError):
                self.last_path.unlink()
            self.last_path = None

    def on_document_saved(self, path: Path) -> None:
        self.remove()
        discard(path)

    def on_document_project_replaced(self) -> None:
        self.remove()
