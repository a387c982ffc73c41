"""Export Movie: the engine's ``conform_timeline`` (the whole cut to one mp4) in a worker thread,
with progress and cancel, the same worker-object pattern as rendering."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from fp_timeline.engine.conform import ConformResult, conform_timeline
from fp_timeline.engine.generator import CancelToken, Progress, RenderCancelled
from fp_timeline.project.document import Project


class ConformEnd(Enum):
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class ConformOutcome:
    """How an export ended: the movie written (``result``), cancelled, or failed (``message`` says why)."""

    end: ConformEnd
    result: ConformResult | None = None
    message: str = ""


class _ConformWorker(QObject):
    progressed = Signal(int, int)
    finished = Signal(object)  # ConformOutcome

    def __init__(self, project: Project, out: Path, cancel: CancelToken) -> None:
        super().__init__()
        self._project, self._out, self._cancel = project, out, cancel

    @Slot()
    def run(self) -> None:
        try:
            result = conform_timeline(self._project, self._out, progress=self._report, cancel=self._cancel)
        except RenderCancelled:
            self.finished.emit(ConformOutcome(ConformEnd.CANCELLED))
            return
        except Exception as err:  # shown to the user; the thread must end either way
            self.finished.emit(ConformOutcome(ConformEnd.FAILED, message=str(err) or type(err).__name__))
            return
        self.finished.emit(ConformOutcome(ConformEnd.DONE, result))

    def _report(self, progress: Progress) -> None:
        if progress.step == progress.total or progress.step % 10 == 0:
            self.progressed.emit(progress.step, progress.total)


class ConformTask(QObject):
    """One movie export at a time; emits ``finished(ConformOutcome)`` on the UI thread."""

    progressed = Signal(int, int)
    finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _ConformWorker | None = None
        self._cancel = CancelToken()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, project: Project, out: Path) -> None:
        if self.running:
            raise RuntimeError("a movie export is already running")
        self._cancel = CancelToken()
        snapshot = Project(path=project.path, timeline=copy.deepcopy(project.timeline))
        self._worker = _ConformWorker(snapshot, Path(out), self._cancel)
        self._thread = QThread(self)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self.progressed)
        self._worker.finished.connect(self.on_worker_finished)
        self._worker.finished.connect(self._thread.quit, Qt.DirectConnection)
        self._thread.finished.connect(self.on_thread_finished)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.cancel()

    def wait(self, timeout_ms: int = 30000) -> bool:
        return self._thread.wait(timeout_ms) if self._thread is not None else True

    def on_worker_finished(self, outcome: ConformOutcome) -> None:
        self.finished.emit(outcome)

    def on_thread_finished(self) -> None:
        if self._worker is not None:
            self._worker.deleteLater()
        if self._thread is not None:
            self._thread.deleteLater()
        self._worker = self._thread = None
