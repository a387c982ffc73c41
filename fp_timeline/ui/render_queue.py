"""The render queue: plans jobs, runs them in a ``RenderWorker`` thread, applies finished takes.

It is the UI-thread side of rendering: rows with state, progress and ETA for the queue panel and
the timeline, and each finished take becomes an undoable edit of the real project.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtGui import QImage

from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.postfx.jobs import plan_postfx
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.project.document import Project
from fp_timeline.project.effects import effect_stack
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.takes import Take
from fp_timeline.ui import timeline_edits
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.render_worker import RenderWorker, effects_row


@dataclass
class JobRow:
    clip: str
    reason: str
    state: str = "queued"  # queued, rendering, done, failed, cancelled
    step: int = 0
    total: int = 0
    started: float = 0.0
    finished: float = 0.0
    message: str = ""  # why it failed
    detail: str = ""  # the generator's own progress line ("section 2/3, step 5/25, ...")
    stage: str = ""  # the generator's stage: "encode", "sample", "decode", ...
    sampled_at: float = 0.0  # when the last sampler step was reported
    decode_seconds: list[float] = field(default_factory=list)  # each section's decode, measured

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 0.0

    def record(self, stage: str, step: int, total: int, now: float) -> None:
        """Note a progress report; a "decode" report after sampling times that section's decode."""
        if stage == "decode" and self.stage == "sample" and self.sampled_at:
            self.decode_seconds.append(now - self.sampled_at)
        if stage == "sample":
            self.sampled_at = now
        self.stage, self.step, self.total = stage, step, total

    @property
    def decoding(self) -> bool:
        """Every sampler step is done but the last section is still being decoded and written."""
        return self.state == "rendering" and bool(self.total) and self.step >= self.total and self.stage == "sample"

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left: the sampling rate so far for the steps left, plus the last section's decode
        (as long as earlier decodes took).  None until there is a rate to go by."""
        if self.state != "rendering" or self.step <= 0 or not self.total:
            return None
        now = now or time.monotonic()
        decode = sum(self.decode_seconds) / len(self.decode_seconds) if self.decode_seconds else None
        if self.step >= self.total:
            if self.stage != "sample":
                return 0.0
            return None if decode is None else max(0.0, decode - (now - self.sampled_at))
        sampled = (now - self.started) / self.step * (self.total - self.step)
        return sampled + (decode or 0.0)


class RenderQueue(QObject):
    jobs_changed = Signal()  # rows added or cleared
    job_updated = Signal(str)  # one row's state or progress changed
    running_changed = Signal(bool)
    render_failed = Signal(str, str)  # clip, message
    preview_changed = Signal(str)  # a rendering clip has a new preview image (or lost it)

    def __init__(self, document: ProjectDocument, options: dict | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        document.render_options = dict(options or {})
        self.rows: dict[str, JobRow] = {}
        self.previews: dict[str, QImage] = {}  # clip -> latest preview while it renders
        self._thread: QThread | None = None
        self._worker: RenderWorker | None = None

    @property
    def options(self) -> dict:
        """The render options (preset, device): kept on the document, whose clip states depend on them."""
        return self.document.render_options

    def set_options(self, **changes) -> None:
        self.document.set_render_options(self.document.render_options | changes)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def render(self, targets: list[str] | None = None, chain: bool = False) -> int:
        """Plan and start rendering; returns the number of jobs (0: nothing to do)."""
        if self.running:
            raise ProjectError("a render is already running; wait for it or cancel it")
        if self.document.untitled:
            raise ProjectError("save the project first: takes are stored beside the project file")
        options = dict(self.options)  # this render's own copy: a preset change applies to the next one
        jobs = plan_render(self.document.project, targets, chain, options)
        post = _effects_to_build(self.document.project, targets, jobs)
        if not jobs and not post:
            return 0
        refused = [
            Problem(p.message, clip=job.clip, field=p.field)
            for job in jobs
            if job.reuse is None
            for p in recipe_problems(job.recipe)
        ]
        if refused:  # the generator would fail on these: say so now, not minutes into the render
            raise ProjectError(refused)
        self._start(jobs, post, options)
        return len(jobs) + len(post)

    def process_effects(self, clips: list[str] | None = None) -> int:
        """Build the processed media of ``clips`` (all by default) that is missing; returns the job count."""
        if self.running:
            raise ProjectError("a render is already running; wait for it or cancel it")
        post = [job.clip for job in plan_postfx(self.document.project, clips)]
        if post:
            self._start([], post, dict(self.options))
        return len(post)

    def _start(self, jobs: list, post: list[str], options: dict) -> None:
        self.rows = {job.clip: JobRow(job.clip, job.reason) for job in jobs}
        self.rows |= {effects_row(clip): JobRow(effects_row(clip), "effects") for clip in post}
        self.jobs_changed.emit()
        # The worker gets its own copy: the user keeps editing the real project meanwhile.
        project = Project(path=self.document.project.path, timeline=copy.deepcopy(self.document.project.timeline))
        self._worker = RenderWorker(project, jobs, options, post)
        self._thread = QThread(self)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.job_started.connect(self.on_worker_job_started)
        self._worker.job_progressed.connect(self.on_worker_job_progressed)
        self._worker.job_previewed.connect(self.on_worker_job_previewed)
        self._worker.job_finished.connect(self.on_worker_job_finished)
        self._worker.job_failed.connect(self.on_worker_job_failed)
        self._worker.job_cancelled.connect(self.on_worker_job_cancelled)
        self._worker.effects_finished.connect(self.on_worker_effects_finished)
        # Direct: quit() is thread-safe, and a UI thread blocked in wait() (closing) could not run it.
        self._worker.queue_finished.connect(self._thread.quit, Qt.DirectConnection)
        self._thread.finished.connect(self.on_thread_finished)
        self._thread.start()
        self.running_changed.emit(True)

    def cancel(self, clip: str | None = None) -> None:
        if self._worker is not None:
            self._worker.cancel(clip)

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until the worker thread ends (for closing the window and for tests)."""
        return self._thread.wait(timeout_ms) if self._thread is not None else True

    def clear_finished(self) -> None:
        self.rows = {k: r for k, r in self.rows.items() if r.state in ("queued", "rendering")}
        self.jobs_changed.emit()

    # --- worker signals (queued onto the UI thread) ----------------------------------------------
    def _update(self, clip: str, **changes) -> None:
        row = self.rows.get(clip)
        if row is None:
            return
        for key, value in changes.items():
            setattr(row, key, value)
        self.job_updated.emit(clip)

    def on_worker_job_started(self, clip: str) -> None:
        self._update(clip, state="rendering", started=time.monotonic())

    def on_worker_job_progressed(self, clip: str, step: int, total: int, message: str = "", stage: str = "") -> None:
        row = self.rows.get(clip)
        if row is not None:
            row.record(stage, step, total, time.monotonic())
        self._update(clip, step=step, total=total, detail=message)

    def on_worker_job_previewed(self, clip: str, image: QImage) -> None:
        self.previews[clip] = image
        self.preview_changed.emit(clip)

    def _drop_preview(self, clip: str) -> None:
        if self.previews.pop(clip, None) is not None:
            self.preview_changed.emit(clip)

    def on_worker_job_finished(self, clip: str, take: Take) -> None:
        self._drop_preview(clip)
        try:
            project = self.document.project
            _, _, target = timeline_edits.locate(project, clip)
            if take.key in target.media_references():
                edit = timeline_edits.switch_take(project, clip, take.key)
            else:
                edit = timeline_edits.add_rendered_take(project, clip, take)
            self.document.edit(edit, check_locks=False)  # a take lands even on a locked track
        except ProjectError as err:  # e.g. the clip was deleted while it rendered
            self._update(clip, state="failed", message=f"take not added: {err}", finished=time.monotonic())
            return
        self._update(clip, state="done", step=max(1, self.rows[clip].total), finished=time.monotonic())

    def on_worker_effects_finished(self, row: str) -> None:
        self._update(row, state="done", step=max(1, self.rows[row].total), finished=time.monotonic())
        self.document.refresh()  # the viewer now finds the processed media

    def on_worker_job_failed(self, clip: str, message: str) -> None:
        self._drop_preview(clip)
        self._update(clip, state="failed", message=message, finished=time.monotonic())
        self.render_failed.emit(clip, message)

    def on_worker_job_cancelled(self, clip: str) -> None:
        self._drop_preview(clip)
        self._update(clip, state="cancelled", finished=time.monotonic())

    def on_thread_finished(self) -> None:
        for row in self.rows.values():
            if row.state in ("queued", "rendering"):
                row.state = "cancelled"
                self.job_updated.emit(row.clip)
        if self._worker is not None:
            self._worker.deleteLater()
        if self._thread is not None:
            self._thread.deleteLater()
        self._worker = None
        self._thread = None
        self.running_changed.emit(False)


def _effects_to_build(project: Project, targets: list[str] | None, jobs: list) -> list[str]:
    """Clips to post-process: those rendered now that have effects, and those whose processed media is missing."""
    rendered = [job.clip for job in jobs if effect_stack(project.timeline, project.clip(job.clip))]
    missing = [job.clip for job in plan_postfx(project, targets)]
    return list(dict.fromkeys(rendered + missing))
