"""The Ray executor: the render queue on a Ray cluster, carried chains as task dependencies.

Imported only when asked for (``fp-timeline render --ray``; ``executor.ray_executor`` checks
that Ray is installed first).  The driver — this process — plans, picks every take's key and
files, and alone writes the project.  Each clip is one task on a ``ClipWorker`` actor (one per
GPU, models kept loaded).  A carried clip's task takes its upstream task's context as an
``ObjectRef`` argument, so Ray starts it only when the upstream clip is finished and ships the
context worker to worker; independent chains go to different workers and run side by side.
A clip that takes its neighbours' frames (a bridge) is prepared on the driver from their published takes,
so it runs in a later wave than they do (``waves_of``).

Faults: actors restart and Ray retries their unfinished tasks, which resume from the section
checkpoints; a take arrives whole or not at all (the driver writes the mp4 last).  If the driver
dies, every take it saved is in the project and the next ``render`` plans only what is missing.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass
from typing import Any

import ray
from ray.exceptions import RayError, RayTaskError

from fp_timeline.engine.executor import Executor, Run
from fp_timeline.engine.generator import ContextBlob, Progress, RenderCancelled
from fp_timeline.engine.leftovers import adoptable_take, release_take_key
from fp_timeline.engine.planner import PlannedJob
from fp_timeline.engine.ray_worker import ClipTask, ClipWorker, RenderChannel, WorkerStart
from fp_timeline.engine.renderer import prepare_job, render_job
from fp_timeline.engine.take_files import PreparedJob, publish_rendered, staged_media
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.takes import Take

POLL = 0.1  # s: how often the driver forwards progress and cancels while tasks run
WAIT_NOTICE = 30.0  # s without any clip started before saying why
WAITING = "waiting for a Ray worker: still starting, or every GPU (CPU) slot of the cluster is taken"
RETRIES = 3  # restarts of a dead worker (and retries of its unfinished tasks)


@dataclass
class _InFlight:
    prepared: PreparedJob
    result: ray.ObjectRef
    index: int  # plan order: an upstream is always handled before the clips that carry from it


class RayExecutor(Executor):
    """Renders on a Ray cluster: ``address`` None starts (or joins) one on this machine."""

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        shared_storage: bool | None = None,
        **init_options: Any,
    ) -> None:
        self.address = address
        self.workers = workers  # default: one per GPU, or per CPU on a cluster without GPUs
        self.shared_storage = shared_storage  # None: each worker looks whether it sees the project folder
        self.init_options = {"include_dashboard": False, "log_to_driver": False} | init_options
        self._actors: list[Any] = []
        self._channel: Any = None
        self._channel_name = ""
        self._started_ray = False
        self.worker_of: dict[str, tuple[str, int]] = {}  # clip -> (host, pid) of its last attempt

    # ------------------------------------------------------------------ cluster
    def connect(self) -> None:
        if not ray.is_initialized():
            ray.init(address=self.address, **self.init_options)
            self._started_ray = True

    def _pool(self, wanted: int) -> list[Any]:
        """Up to ``wanted`` workers, kept between runs so their models stay loaded."""
        self.connect()
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        slots = self.workers or gpus or max(1, int(resources.get("CPU", 1)))
        if self._channel is None:
            name = f"fp-timeline-channel-{uuid.uuid4().hex[:12]}"
            self._channel = ray.remote(num_cpus=0)(RenderChannel).options(name=name).remote()
            self._channel_name = name
        worker = ray.remote(ClipWorker).options(
            num_cpus=1, num_gpus=1 if gpus else 0, max_restarts=RETRIES, max_task_retries=RETRIES
        )
        while len(self._actors) < min(wanted, slots):
            self._actors.append(worker.remote(self._channel_name))
        return self._actors[: max(1, min(wanted, slots))]

    def close(self) -> None:
        for actor in self._actors + ([self._channel] if self._channel is not None else []):
            ray.kill(actor)
        self._actors, self._channel = [], None
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    # ------------------------------------------------------------------ run
    def render(self, project: Project, options: dict[str, Any], run: Run) -> None:
        for job in run.jobs:  # a take to switch back on, or one a killed render finished: no worker needed
            take = _existing_take(project, job)
            if take is not None:
                run.start(job)
                run.finish(job, take)  # saved before the clips carried from it are prepared
        generate = [j for j in run.jobs if j.clip not in run.done]
        for wave in waves_of(generate):
            wave = _startable(wave, run)
            if not wave or run.cancels.everything.is_set():
                continue
            chains = chains_of(wave)
            actors = self._pool(len(chains))
            ray.get(self._channel.reset.remote())  # nothing left over from an earlier run
            flying = self._submit(project, wave, options, assign(chains, len(actors)), actors)
            failure = self._collect(project, flying, run)
            if failure is not None:
                raise failure

    def _submit(
        self,
        project: Project,
        jobs: list[PlannedJob],
        options: dict[str, Any],
        lanes: dict[str, int],
        actors: list[Any],
    ) -> list[_InFlight]:
        """Every job at once; a carried clip's task waits on its upstream task's context ref."""
        contexts: dict[str, tuple[ray.ObjectRef, ContextBlob]] = {}
        flying = []
        for index, job in enumerate(jobs):
            upstream = contexts.get(job.upstream) if job.upstream else None
            prepared = prepare_job(project, job, options, upstream_take=upstream[1] if upstream else None)
            task = _task(prepared, read_incoming=upstream is None, shared=self.shared_storage)
            render = actors[lanes[job.clip]].render.options(num_returns=2)
            context_ref, result_ref = render.remote(task, upstream[0] if upstream else None)
            future = ContextBlob(prepared.paths.context, job.recipe_hash, {"take": prepared.key})
            contexts[job.clip] = (context_ref, future)
            flying.append(_InFlight(prepared, result_ref, index))
        return flying

    def _collect(self, project: Project, flying: list[_InFlight], run: Run) -> BaseException | None:
        """Publish takes as they arrive, forward progress and cancels; returns the failure to raise."""
        failure: BaseException | None = None
        forwarded: set[str] = set()
        by_clip = {f.prepared.job.clip: f.prepared.job for f in flying}
        waiting_since = time.monotonic()
        while flying:
            ready, _ = ray.wait([f.result for f in flying], num_returns=len(flying), timeout=POLL)
            self._forward(by_clip, run, forwarded)
            if not run.started and waiting_since and time.monotonic() - waiting_since > WAIT_NOTICE:
                waiting_since = 0.0  # say it once: a cluster whose slots are all taken waits, it does not fail
                run.events.progress(Progress(flying[0].prepared.job.clip, "wait", 0, 0, message=WAITING))
            done = sorted((f for f in flying if f.result in ready), key=lambda f: f.index)
            for item in done:
                flying.remove(item)
                error = self._finish(project, item, run)
                if error is not None and failure is None and not run.events.keep_going:
                    failure = error
                    self._channel.cancel.remote(None)  # stop the rest; finished takes are still kept
        return failure

    def _finish(self, project: Project, item: _InFlight, run: Run) -> BaseException | None:
        job = item.prepared.job
        try:
            rendered = ray.get(item.result)
        except (RayError, RenderCancelled) as err:
            error = run.blocked(job) or _cause(err, job)
            _discard(project, item.prepared)
            if isinstance(error, RenderCancelled):
                run.cancel(job)
                return None
            run.fail(job, error)
            return error
        run.start(job)  # when its start report is still on the way
        run.finish(job, publish_rendered(project, item.prepared, rendered))
        return None

    def _forward(self, jobs: dict[str, PlannedJob], run: Run, forwarded: set[str]) -> None:
        """Progress from the workers to the driver's events; the driver's cancels to the workers."""
        for clip in jobs:
            if clip not in forwarded and run.cancels.is_cancelled(clip) and not run.ended(clip):
                forwarded.add(clip)
                self._channel.cancel.remote(clip)
        for report in ray.get(self._channel.drain.remote()):
            job = jobs.get(report.clip)
            if job is None or run.ended(report.clip):
                continue
            if isinstance(report, WorkerStart):
                self.worker_of[report.clip] = (report.host, report.pid)
                if report.clip not in run.started:
                    run.start(job)
                    run.events.progress(
                        Progress(job.clip, "start", 0, 0, message=f"on {report.host} (pid {report.pid})")
                    )
                continue
            run.events.progress(report)


def waves_of(jobs: list[PlannedJob]) -> list[list[PlannedJob]]:
    """Jobs in waves, plan order kept: a clip that takes frames from a clip of this run (a bridge) goes in a
    wave after it, because its neighbours' frames are read from their published takes when it is prepared;
    a carried clip goes in its upstream's wave or later (then it reads the published context)."""
    wave_of: dict[str, int] = {}
    for job in jobs:  # plan order: neighbours and upstreams come first
        after = [wave_of[n] + 1 for n in job.frames_from if n in wave_of]
        if job.upstream in wave_of:
            after.append(wave_of[job.upstream])
        wave_of[job.clip] = max(after, default=0)
    waves: list[list[PlannedJob]] = [[] for _ in range(max(wave_of.values(), default=-1) + 1)]
    for job in jobs:
        waves[wave_of[job.clip]].append(job)
    return waves


def _startable(wave: list[PlannedJob], run: Run) -> list[PlannedJob]:
    """The wave's jobs whose neighbours and upstreams in earlier waves did not fail or get cancelled."""
    startable = []
    for job in wave:
        blocked = run.blocked(job)
        if isinstance(blocked, RenderCancelled) or run.cancels.is_cancelled(job.clip):
            run.cancel(job)
        elif blocked is not None:
            run.fail(job, blocked)
        else:
            startable.append(job)
    return startable


def chains_of(jobs: list[PlannedJob]) -> list[list[PlannedJob]]:
    """Jobs grouped into carried chains (a job with its upstream job of the same run), plan order kept."""
    chain_of: dict[str, list[PlannedJob]] = {}
    chains: list[list[PlannedJob]] = []
    for job in jobs:
        chain = chain_of.get(job.upstream) if job.upstream else None
        if chain is None:
            chain = []
            chains.append(chain)
        chain.append(job)
        chain_of[job.clip] = chain
    return chains


def assign(chains: list[list[PlannedJob]], workers: int) -> dict[str, int]:
    """Each chain to one worker, longest first onto the least loaded one (cost: frames to make)."""
    load = [0] * workers
    lanes: dict[str, int] = {}
    for chain in sorted(chains, key=lambda c: -sum(j.recipe.frames for j in c)):
        lane = load.index(min(load))
        load[lane] += sum(j.recipe.frames for j in chain)
        lanes.update({job.clip: lane for job in chain})
    return lanes


def _task(prepared: PreparedJob, read_incoming: bool, shared: bool | None) -> ClipTask:
    render = prepared.render
    incoming = render.incoming.path.read_bytes() if read_incoming and render.incoming is not None else None
    return ClipTask(
        render=render,
        media=prepared.paths.media,
        staged_media=staged_media(prepared.paths.media),
        image=render.image_path.read_bytes() if render.image_path is not None else None,
        incoming=incoming,
        shared=shared,
    )


def _existing_take(project: Project, job: PlannedJob) -> Take | None:
    """The take ``render_job`` would give without generating: a reused one, or an adoptable orphan."""
    if job.reuse is not None:
        return render_job(project, job)
    orphan = adoptable_take(project, job.clip, job.recipe_hash)
    if orphan is not None and (job.identity is None or orphan.identity in ("", job.identity.digest)):
        return orphan
    return None


def _discard(project: Project, prepared: PreparedJob) -> None:
    """A take that will not be: its staged mp4 (if a worker got that far) and its reserved number go."""
    with contextlib.suppress(FileNotFoundError):
        staged_media(prepared.paths.media).unlink()
    release_take_key(project, prepared.job.clip, prepared.key)


def _cause(err: BaseException, job: PlannedJob) -> BaseException:
    """The worker's own exception when Ray can give it back, else a clear one naming the clip."""
    if isinstance(err, RayTaskError):
        cause = err.cause
        if isinstance(cause, BaseException) and not isinstance(cause, RayError):
            return cause
    if isinstance(err, RenderCancelled):
        return err
    return ProjectError(Problem(f"the Ray worker failed: {str(err).splitlines()[0]}", clip=job.clip))
