"""Rendering off the UI thread: a worker QObject moved to a QThread (OpenShot's worker pattern).

The worker renders on its own deep copy of the project, so the user can keep editing; after each
job it adds the new take to its copy (a carried clip later in the queue continues from it) and
hands the ``Take`` to the UI thread, which applies it to the real project as an undoable edit.
The engine knows only callbacks; here they become queued signals.

A clip with effects is post-processed right after its take, as its own queue row (``effects_row``),
and so are clips whose processed media is simply missing (``post_clips``); the derived media lands in
the project folder, so nothing needs applying on the UI thread.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from fp_timeline.engine.executor import ClipCancels, Executor, RenderEvents
from fp_timeline.engine.generator import CancelToken, Progress, ProgressCallback, RenderCancelled
from fp_timeline.engine.planner import PlannedJob
from fp_timeline.engine.postfx.jobs import postfx_job, run_postfx
from fp_timeline.engine.renderer import apply_take, render_job
from fp_timeline.project.document import Project
from fp_timeline.project.takes import Take
from fp_timeline.ui.media_frames import qimage_from_rgb

PROGRESS_INTERVAL = 0.05  # s: at most ~20 progress signals a second per job
PREVIEW_INTERVAL = 0.25  # s: previews are bigger; 4 a second is plenty


def effects_row(clip: str) -> str:
    """The queue row of a clip's post-processing."""
    return f"{clip} · effects"


class RenderWorker(QObject):
    job_started = Signal(str)
    job_progressed = Signal(str, int, int, str, str)  # clip, step, total, message, stage
    job_previewed = Signal(str, QImage)  # clip, a cheap preview of what is being generated
    job_finished = Signal(str, object)  # clip, Take
    job_failed = Signal(str, str)  # clip, message
    job_cancelled = Signal(str)
    effects_finished = Signal(str)  # an effects row whose processed media is built
    queue_finished = Signal()

    def __init__(
        self,
        project: Project,
        jobs: list[PlannedJob],
        options: dict | None = None,
        post_clips: list[str] | None = None,
        executor: Executor | None = None,
    ) -> None:
        super().__init__()  # no parent: it is moved to its own thread
        self._executor = executor  # None: render here, clip by clip; else e.g. on a Ray cluster
        self._cancels: ClipCancels | None = None
        self._project = project
        self._jobs = jobs
        self._post_clips = list(post_clips or [])
        self._options = options or {}
        self._lock = threading.Lock()
        self._cancelled: set[str] = set()
        self._stop_all = False
        self._token: CancelToken | None = None
        self._current: str | None = None

    def cancel(self, clip: str | None = None) -> None:
        """Cancel one clip (queued or running), or everything with ``clip=None``.  Any thread."""
        with self._lock:
            if clip is None:
                self._stop_all = True
            else:
                self._cancelled.add(clip)
            if self._token is not None and (clip is None or clip == self._current):
                self._token.cancel()
            if self._cancels is not None:
                self._cancels.cancel(clip)

    @Slot()
    def run(self) -> None:
        if self._executor is not None:
            self._run_on_executor(self._executor)
            return
        for job in self._jobs:
            with self._lock:
                if self._stop_all or job.clip in self._cancelled:
                    skip = True
                else:
                    skip = False
                    self._token = CancelToken()
                    self._current = job.clip
            if skip:
                self.job_cancelled.emit(job.clip)
                continue
            self.job_started.emit(job.clip)
            try:
                take = render_job(self._project, job, self._options, self._progress_for(job.clip), self._token)
                apply_take(self._project, job, take)
            except RenderCancelled:
                self.job_cancelled.emit(job.clip)
                continue
            except Exception as err:  # a failed clip must not kill the thread; report it
                self.job_failed.emit(job.clip, str(err) or type(err).__name__)
                continue
            finally:
                with self._lock:
                    self._token = None
                    self._current = None
            self.job_finished.emit(job.clip, take)
            if job.clip in self._post_clips:
                self._post_process(job.clip)
        rendered = {job.clip for job in self._jobs}
        for clip in self._post_clips:
            if clip not in rendered:
                self._post_process(clip)
        self.queue_finished.emit()

    def _run_on_executor(self, executor: Executor) -> None:
        """The jobs on another executor (several clips may be in flight), then the effects rows."""
        cancels = ClipCancels()
        with self._lock:
            self._cancels = cancels
            for clip in self._cancelled:
                cancels.cancel(clip)
            if self._stop_all:
                cancels.cancel()
        progress_of: dict[str, ProgressCallback] = {}
        finished: list[str] = []

        def on_finished(job: PlannedJob, take: Take) -> None:
            apply_take(self._project, job, take)  # a carried clip later in the queue continues from it
            finished.append(job.clip)
            self.job_finished.emit(job.clip, take)

        events = RenderEvents(
            started=lambda job: self.job_started.emit(job.clip),
            progress=lambda p: progress_of.setdefault(p.clip, self._progress_for(p.clip))(p),
            finished=on_finished,
            failed=lambda job, err: self.job_failed.emit(job.clip, str(err) or type(err).__name__),
            cancelled=lambda job: self.job_cancelled.emit(job.clip),
            keep_going=True,
        )
        try:
            executor.run(self._project, self._jobs, self._options, events, cancels)
        except RenderCancelled:
            pass  # every clip was reported cancelled, one by one
        except Exception as err:  # the cluster itself failed (unreachable, lost): every open row fails
            for job in self._jobs:
                if job.clip not in finished:
                    self.job_failed.emit(job.clip, str(err) or type(err).__name__)
        finally:
            with self._lock:
                self._cancels = None
        for clip in self._post_clips:
            if clip in finished or clip not in {job.clip for job in self._jobs}:
                self._post_process(clip)
        self.queue_finished.emit()

    def _post_process(self, clip: str) -> None:
        """Build ``clip``'s processed media (resuming at the first missing stage), as row ``effects_row``."""
        row = effects_row(clip)
        with self._lock:
            skip = self._stop_all or row in self._cancelled or clip in self._cancelled
            if not skip:
                self._token, self._current = CancelToken(), row
        if skip:
            self.job_cancelled.emit(row)
            return
        self.job_started.emit(row)
        try:
            job = postfx_job(self._project, self._project.clip(clip))
            if job is not None:
                run_postfx(self._project, job, self._progress_for(row), self._token)
        except RenderCancelled:
            self.job_cancelled.emit(row)
            return
        except Exception as err:  # missing weights, a reference without a take: that row fails
            self.job_failed.emit(row, str(err) or type(err).__name__)
            return
        finally:
            with self._lock:
                self._token, self._current = None, None
        self.effects_finished.emit(row)

    def _progress_for(self, clip: str):
        last = [0.0, 0.0]  # last progress signal, last preview signal
        last_stage = [""]  # a change of stage is always reported (the queue times decoding by it)

        def report(progress: Progress) -> None:
            now = time.monotonic()
            if progress.step >= progress.total or progress.stage != last_stage[0] or now - last[0] >= PROGRESS_INTERVAL:
                last_stage[0] = progress.stage
                last[0] = now
                self.job_progressed.emit(clip, progress.step, progress.total, progress.message, progress.stage)
            if progress.preview is not None and now - last[1] >= PREVIEW_INTERVAL:
                last[1] = now
                # QImage (unlike QPixmap) may be made off the UI thread; it owns a copy of the pixels.
                self.job_previewed.emit(clip, qimage_from_rgb(progress.preview))

        return report
