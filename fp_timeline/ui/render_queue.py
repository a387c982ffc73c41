"""The render queue: plans jobs, runs them in a ``RenderWorker`` thread, applies finished takes.

It is the UI-thread side of rendering: rows with state, progress and ETA for the queue panel and
the timeline, and each finished take becomes an undoable edit of the real project.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtGui import QImage

from fp_timeline.engine.executor import Executor
from fp_timeline.engine.optional_ray import ray_executor
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.postfx.jobs import plan_postfx, postfx_job
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.engine.variations import plan_variations, variation_seeds
from fp_timeline.project import timeline_edits
from fp_timeline.project.document import Project
from fp_timeline.project.effects import effect_stack
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import Recipe
from fp_timeline.project.takes import Take
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.render_worker import RenderWorker, effects_row


class JobState(str, Enum):
    QUEUED = "queued"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        """Still to finish: queued or rendering (it can be cancelled)."""
        return self in (JobState.QUEUED, JobState.RENDERING)


@dataclass
class JobRow:
    clip: str
    reason: str
    state: JobState = JobState.QUEUED
    step: int = 0
    total: int = 0
    started: float = 0.0
    finished: float = 0.0
    message: str = ""  # why it failed
    detail: str = ""  # the generator's own progress line ("section 2/3, step 5/25, ...")
    stage: str = ""  # the generator's stage: "encode", "sample", "decode", ...
    sampled_at: float = 0.0  # when the last sampler step was reported
    decode_seconds: list[float] = field(default_factory=list)  # each section's decode, measured

    def __post_init__(self) -> None:
        self.state = JobState(self.state)  # a plain "done" names the same state

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
        return (
            self.state is JobState.RENDERING and bool(self.total) and self.step >= self.total and self.stage == "sample"
        )

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left: the sampling rate so far for the steps left, plus the last section's decode
        (as long as earlier decodes took).  None until there is a rate to go by."""
        if self.state is not JobState.RENDERING or self.step <= 0 or not self.total:
            return None
        now = now or time.monotonic()
        decode = sum(self.decode_seconds) / len(self.decode_seconds) if self.decode_seconds else None
        if self.step >= self.total:
            if self.stage != "sample":
                return 0.0
            return None if decode is None else max(0.0, decode - (now - self.sampled_at))
        sampled = (now - self.started) / self.step * (self.total - self.step)
        return sampled + (decode or 0.0)


WAITING = "waiting for the render in progress"


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
        self._variations: set[str] = set()  # clips whose takes in this run are new seeds (their recipe follows)
        self._planned: dict[str, Recipe] = {}  # clip -> the recipe the running worker renders
        self._takes_left: Counter[str] = Counter()
        self._waiting: list[tuple] = []  # requests made while rendering: (targets, chain, variations)
        document.changed.connect(self.on_document_changed)
        self.executor: Executor | None = None  # None: render in this process; else e.g. a Ray cluster

    @property
    def options(self) -> dict:
        """The render options (preset, device): kept on the document, whose clip states depend on them."""
        return self.document.render_options

    def set_options(self, **changes) -> None:
        self.document.set_render_options(self.document.render_options | changes)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def use_ray(self, enabled: bool, address: str | None = None) -> None:
        """Render the next queues on Ray (a cluster on this machine without ``address``), or here again.

        Raises ``ProjectError`` saying how to install Ray when it is missing.  The workers stay up
        between renders (models loaded) until Ray is switched off.
        """
        if self.running:
            raise ProjectError("a render is running; switch executors when it has finished")
        if not enabled:
            if self.executor is not None:
                self.executor.close()
            self.executor = None
        elif self.executor is None:
            self.executor = ray_executor(address)

    def render(self, targets: list[str] | None = None, chain: bool = False, variations: int | None = None) -> int:
        """Plan and start rendering; returns the number of jobs (0: nothing to do).

        ``variations``: that many new takes of each target, each with a new seed (a rerender is one).
        """
        if self.document.untitled:
            raise ProjectError("save the project first: takes are stored beside the project file")
        if self.running:  # planned when its turn comes, against the project as it is then
            return self._wait_for_turn(targets, chain, variations)
        options = dict(self.options)  # this render's own copy: a preset change applies to the next one
        jobs = self._plan(targets, chain, variations, options)
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

    def _wait_for_turn(self, targets: list[str] | None, chain: bool, variations: int | None) -> int:
        """Queue a request while a render runs; rows show its clips as waiting."""
        self._waiting.append((targets, chain, variations))
        names = targets or [n for n, row in self.document.statuses().items() if row.state.value != "rendered"]
        for name in names:
            if self.rows.get(name) is None or not self.rows[name].state.active:
                self.rows[name] = JobRow(name, WAITING)
        self.jobs_changed.emit()
        return len(names)

    def _next_waiting(self) -> None:
        """The render ended: plan and start the next waiting request (edits made meanwhile included)."""
        while self._waiting and not self.running:
            targets, chain, variations = self._waiting.pop(0)
            existing = {c.name for c in self.document.project.generated_clips()}
            targets = [t for t in targets if t in existing] if targets is not None else None
            if targets == []:
                continue
            try:
                self.render(targets, chain, variations)
            except ProjectError as err:
                self.render_failed.emit((targets or ["?"])[0], str(err))

    def on_document_changed(self) -> None:
        """A clip deleted while it renders is cancelled; one edited while queued is planned again."""
        if not self.running or self._worker is None:
            return
        project = self.document.project
        current = {c.name: c for c in project.generated_clips()}
        for name, planned in list(self._planned.items()):
            row = self.rows.get(name)
            if row is None or not row.state.active:
                continue
            if name not in current:
                self._worker.cancel(name)
                self._update(
                    name, state=JobState.CANCELLED, message="deleted while rendering: its render was discarded"
                )
                del self._planned[name]
                continue
            recipe = project.recipe(current[name])
            if name in self._variations:
                recipe = recipe.replace(seed=planned.seed, noise=planned.noise)
            if row.state is JobState.QUEUED and recipe != planned:
                self._worker.cancel(name)
                self._update(
                    name, state=JobState.CANCELLED, message="edited while queued: planned again after this render"
                )
                del self._planned[name]
                self._waiting.append(([name], False, None))

    def _plan(self, targets: list[str] | None, chain: bool, variations: int | None, options: dict) -> list:
        project = self.document.project
        self._variations = set()
        if variations is None or not targets:
            return plan_render(project, targets, chain, options)
        jobs: list = []
        for name in targets:
            seeds = variation_seeds(project, name, variations)
            for job in plan_variations(project, name, seeds, chain=chain, options=options):
                if job.variation or all(j.clip != job.clip for j in jobs):
                    jobs.append(job)
        self._variations = {job.clip for job in jobs if job.variation}
        return jobs

    def process_effects(self, clips: list[str] | None = None) -> int:
        """Build the processed media of ``clips`` (all by default) that is missing; returns the job count."""
        if self.running:
            raise ProjectError("a render is already running; wait for it or cancel it")
        post = [job.clip for job in plan_postfx(self.document.project, clips)]
        if post:
            self._start([], post, dict(self.options))
        return len(post)

    def _start(self, jobs: list, post: list[str], options: dict) -> None:
        waiting = {k: r for k, r in self.rows.items() if r.state is JobState.QUEUED and r.reason == WAITING}
        explained = {
            k: r for k, r in self.rows.items() if r.state in (JobState.CANCELLED, JobState.FAILED) and r.message
        }
        self.rows = {k: r for k, r in explained.items() if k not in {job.clip for job in jobs}}  # keep the why
        self.rows |= {job.clip: JobRow(job.clip, job.reason) for job in jobs}
        self.rows |= {k: r for k, r in waiting.items() if k not in self.rows and self._waiting}
        self._planned = {job.clip: job.recipe for job in jobs if job.reuse is None}
        self._takes_left = Counter(job.clip for job in jobs)  # variations: several takes of one clip, one row
        for clip, count in self._takes_left.items():
            if count > 1:
                self.rows[clip].reason = f"{count} variations, one seed each"
        self.rows |= {effects_row(clip): JobRow(effects_row(clip), "effects") for clip in post}
        self.jobs_changed.emit()
        # The worker gets its own copy: the user keeps editing the real project meanwhile.
        project = Project(path=self.document.project.path, timeline=copy.deepcopy(self.document.project.timeline))
        self._worker = RenderWorker(project, jobs, options, post, self.executor)
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
        self.rows = {k: r for k, r in self.rows.items() if r.state.active}
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
        self._update(clip, state=JobState.RENDERING, started=time.monotonic())

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
                edit = timeline_edits.add_rendered_take(project, clip, take, variation=clip in self._variations)
            self.document.edit(edit, check_locks=False)  # a take lands even on a locked track
        except ProjectError:  # the clip was deleted while it rendered: no "done" for discarded work
            message = "deleted while rendering: its render was discarded"
            self._update(clip, state=JobState.CANCELLED, message=message, finished=time.monotonic())
            return
        self._takes_left[clip] -= 1
        if self._takes_left[clip] > 0:  # more variations of this clip to come: not done yet
            self._update(clip, detail=f"{take.key} done, {self._takes_left[clip]} more to come")
            return
        self._update(clip, state=JobState.DONE, step=max(1, self.rows[clip].total), finished=time.monotonic())

    def on_worker_effects_finished(self, row: str) -> None:
        self._update(row, state=JobState.DONE, step=max(1, self.rows[row].total), finished=time.monotonic())
        self.document.refresh()  # the viewer now finds the processed media

    def on_worker_job_failed(self, clip: str, message: str) -> None:
        self._drop_preview(clip)
        self._update(clip, state=JobState.FAILED, message=message, finished=time.monotonic())
        self.render_failed.emit(clip, message)

    def on_worker_job_cancelled(self, clip: str) -> None:
        self._drop_preview(clip)
        row = self.rows.get(clip)
        if row is not None and row.state is JobState.CANCELLED:
            return  # cancelled here already (deleted or edited), with its reason
        self._update(clip, state=JobState.CANCELLED, finished=time.monotonic())

    def on_thread_finished(self) -> None:
        for row in self.rows.values():
            if row.state.active and row.reason != WAITING:
                row.state = JobState.CANCELLED
                self.job_updated.emit(row.clip)
        if self._worker is not None:
            self._worker.deleteLater()
        if self._thread is not None:
            self._thread.deleteLater()
        self._worker = None
        self._thread = None
        self._planned = {}
        self.running_changed.emit(False)
        self._next_waiting()


def _effects_to_build(project: Project, targets: list[str] | None, jobs: list) -> list[str]:
    """Clips to post-process: those rendered now that have effects (their row runs after the take, and
    fails there, naming the cause, if the effects cannot run), and those whose processed media is missing.

    A clip not rendered now whose effects cannot run (weights not found...) is left out, so it never
    blocks rendering takes; the inspector's effects section says why.
    """
    rendered = {job.clip for job in jobs}
    chosen = []
    for clip in project.generated_clips():
        try:
            if clip.name in rendered:
                if effect_stack(project.timeline, clip):
                    chosen.append(clip.name)
            elif targets is None or clip.name in targets:
                job = postfx_job(project, clip)
                if job is not None and not job.done:
                    chosen.append(clip.name)
        except ProjectError:
            continue
    return chosen
