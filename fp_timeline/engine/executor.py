"""Executors: where planned jobs run.  The driver (CLI or window) plans, an executor renders.

Two executors implement ``Executor.render`` (``run`` and the ``Run`` bookkeeping are theirs in common):
``renderer.LocalExecutor`` (in this process, one clip after another; the default, nothing to start) and
``ray_executor.RayExecutor`` (a Ray cluster; carried chains become task dependencies, independent chains
run side by side).  Either way the
executor reports through ``RenderEvents`` on the thread that called ``run``, and the driver's
``finished`` handler is the only place that adds a take to the project and saves it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fp_timeline.engine.generator import CancelToken, ProgressCallback, RenderCancelled
from fp_timeline.engine.planner import PlannedJob
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.takes import Take


def _nothing(*_: Any) -> None:
    pass


@dataclass
class RenderEvents:
    """What an executor tells its driver, always on the thread that called ``Executor.run``."""

    started: Callable[[PlannedJob], None] = _nothing
    progress: ProgressCallback = _nothing
    finished: Callable[[PlannedJob, Take], None] = _nothing  # add the take and save: the driver's job
    failed: Callable[[PlannedJob, BaseException], None] = _nothing
    cancelled: Callable[[PlannedJob], None] = _nothing
    keep_going: bool = False  # after a failure, go on with the jobs that do not depend on it


class ClipCancels:
    """Cancel everything, or single clips (queued or running); safe from any thread."""

    def __init__(self, everything: CancelToken | None = None) -> None:
        self.everything = everything or CancelToken()
        self._clips: set[str] = set()
        self._lock = threading.Lock()

    def cancel(self, clip: str | None = None) -> None:
        if clip is None:
            self.everything.cancel()
            return
        with self._lock:
            self._clips.add(clip)

    def is_cancelled(self, clip: str) -> bool:
        with self._lock:
            return self.everything.is_set() or clip in self._clips

    def token(self, clip: str) -> CancelToken:
        """A token the generator of ``clip`` polls: set when the clip or everything is cancelled."""
        return _ClipToken(self, clip)


class _ClipToken(CancelToken):
    def __init__(self, cancels: ClipCancels, clip: str) -> None:
        super().__init__()
        self._cancels, self._clip = cancels, clip

    def cancel(self) -> None:
        self._cancels.cancel(self._clip)

    def is_set(self) -> bool:
        return self._cancels.is_cancelled(self._clip)

    def raise_if_cancelled(self) -> None:
        if self.is_set():
            raise RenderCancelled("render cancelled")


@dataclass
class Run:
    """One executor run: its jobs, whom to tell (``events``), its cancels, and which jobs ended how.
    Executors report through ``start``/``finish``/``fail``/``cancel``, so the sets and the events agree."""

    jobs: list[PlannedJob]
    events: RenderEvents = field(default_factory=RenderEvents)
    cancels: ClipCancels = field(default_factory=ClipCancels)
    started: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    cancelled: set[str] = field(default_factory=set)

    def start(self, job: PlannedJob) -> None:
        """``job`` started (said once, however many workers report it)."""
        if job.clip not in self.started:
            self.started.add(job.clip)
            self.events.started(job)

    def finish(self, job: PlannedJob, take: Take) -> None:
        self.done.add(job.clip)
        self.events.finished(job, take)

    def fail(self, job: PlannedJob, error: BaseException) -> None:
        self.failed.add(job.clip)
        self.events.failed(job, error)

    def cancel(self, job: PlannedJob) -> None:
        self.cancelled.add(job.clip)
        self.events.cancelled(job)

    def blocked(self, job: PlannedJob) -> BaseException | None:
        """Why ``job`` cannot start: its upstream in this run failed or was cancelled."""
        if job.upstream in self.cancelled:
            return RenderCancelled(f"{job.upstream!r} was cancelled")
        if job.upstream in self.failed:
            return ProjectError(Problem(f"carries from {job.upstream!r}, which failed to render", clip=job.clip))
        for neighbour in job.frames_from:  # a bridge needs both neighbours' takes
            if neighbour in self.cancelled:
                return RenderCancelled(f"{neighbour!r} was cancelled")
            if neighbour in self.failed:
                return ProjectError(Problem(f"takes frames from {neighbour!r}, which failed to render", clip=job.clip))
        return None

    def ended(self, clip: str) -> bool:
        return clip in self.done or clip in self.failed or clip in self.cancelled


class Executor:
    """Runs planned jobs and reports each outcome through ``events``; never saves the project itself.

    Returns when every job finished, failed or was cancelled.  Raises ``RenderCancelled`` when
    everything was cancelled, and the first failure unless ``events.keep_going``.  An executor
    implements ``render`` (and ``close`` when it holds something).
    """

    name: str

    def run(
        self,
        project: Project,
        jobs: list[PlannedJob],
        options: dict[str, Any],
        events: RenderEvents,
        cancels: ClipCancels,
    ) -> None:
        self.render(project, options, Run(jobs, events, cancels))
        if cancels.everything.is_set():
            raise RenderCancelled("render cancelled")

    def render(self, project: Project, options: dict[str, Any], run: Run) -> None:
        """Render ``run.jobs``, reporting each through ``run``; raise the first failure unless ``keep_going``."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the executor holds (workers, models); it may be used again afterwards."""
