"""Executing planned jobs: generator → take files on disk → (the caller) add the take and save.

``render_job`` never mutates the project and keeps no global state, so the GUI can run it in a
worker thread on a deep copy and apply the returned ``Take`` on the UI thread with ``apply_take``.
``render_project`` is the CLI's driver: an executor renders (``LocalExecutor`` here, one clip at a
time; a Ray cluster with ``ray_executor``), and each take is applied and saved atomically as soon as
it arrives, so a crash loses at most the clips in flight (whose sections are checkpointed in
``work_dir``).  A take's files (generate, record, publish a remote worker's take under the names
``prepare_job`` chose) are ``take_files.py``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from fp_timeline.engine import capabilities, registry
from fp_timeline.engine.executor import ClipCancels, Executor, RenderEvents, Run
from fp_timeline.engine.generator import (
    CancelToken,
    ContextBlob,
    Generator,
    PreparesRender,
    Progress,
    ProgressCallback,
    RenderCancelled,
    RenderJob,
)
from fp_timeline.engine.identity import runtime_identity
from fp_timeline.engine.imported import encode_imported_upstream
from fp_timeline.engine.leftovers import adoptable_take, clean_leftovers, release_take_key, reserve_take_key
from fp_timeline.engine.neighbours import neighbour_frames
from fp_timeline.engine.planner import PlannedJob, find_clip, incoming_context, is_foreign
from fp_timeline.engine.store import take_paths, work_dir, write_take_record
from fp_timeline.engine.take_files import (
    PreparedJob,
    drop_empty_work_dir,
    generate,
    make_take,
    now_iso,
    remove_work_dir,
    take_record,
)
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.project.document import Project, load_project, save_project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.lock import project_lock
from fp_timeline.project.takes import Take, add_take, takes_of, use_take

JobCallback = Callable[[int, int, PlannedJob], None]


def prepare_job(
    project: Project,
    job: PlannedJob,
    options: dict[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    upstream_take: ContextBlob | None = None,
) -> PreparedJob:
    """Pick the take key, make the folders and resolve the incoming context (driver side).

    ``upstream_take``: the context the upstream job of the same run will write (it is not on disk
    yet; a remote executor hands its bytes over itself).  Raises ``ProjectError`` when a carried clip
    has no upstream context to start from.
    """
    clip = project.clip(job.clip)
    gen_id = job.recipe.generator
    identity = _checked_identity(project, job, options)
    incoming = upstream_take or incoming_context(project, job, options)
    if incoming is None and job.upstream is not None and is_foreign(project, find_clip(project, job.upstream), gen_id):
        incoming = encode_imported_upstream(project, job, options or {}, progress or _ignore)
    if job.upstream is not None and incoming is None:
        raise ProjectError(
            Problem(
                f"carries from {job.upstream!r}, which has no rendered take for its current recipe; "
                f"render {job.upstream!r} first (or render the whole project)",
                file=project.path,
                clip=job.clip,
            )
        )
    key = reserve_take_key(project, clip.name)  # released once its take is published (or failed)
    paths = take_paths(project, job.clip, key)
    scratch = work_dir(project, job.clip, job.recipe_hash)
    scratch.mkdir(parents=True, exist_ok=True)
    paths.media.parent.mkdir(parents=True, exist_ok=True)
    render = RenderJob(
        clip=job.clip,
        recipe=job.recipe,
        recipe_hash=job.recipe_hash,
        image_path=project.resolve(job.recipe.image) if job.recipe.image else None,
        incoming=incoming,
        context_path=paths.context,
        work_dir=scratch,
        options=dict(options or {}),
        cache_dir=project.data_dir / "cache",
        media=capabilities.resolved_media(project, registry.load_generator(gen_id), job.recipe),
        neighbour_frames=neighbour_frames(project, job),
    )
    return PreparedJob(job=job, key=key, paths=paths, render=render, identity=identity)


def render_job(
    project: Project,
    job: PlannedJob,
    options: dict[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Take:
    """Render one clip into a new take's files and return the ``Take``; the project is not touched.

    A ``reuse`` job returns the existing take without generating anything.
    Raises ``RenderCancelled`` when ``cancel`` is set, ``ProjectError`` when the job cannot start.
    """
    progress = progress or _ignore
    cancel = cancel or CancelToken()
    if job.reuse is not None:
        return next(t for t in takes_of(project.clip(job.clip)) if t.key == job.reuse)
    orphan = adoptable_take(project, job.clip, job.recipe_hash)
    if orphan is not None and (job.identity is None or orphan.identity in ("", job.identity.digest)):
        # Finished by a render killed before it saved: adopt it, never render it again.
        progress(Progress(job.clip, "adopt", 0, 0, message=f"adopting {orphan.key}, finished before a crash"))
        return orphan
    generator = registry.load_generator(job.recipe.generator)
    registry.release_others(keep=generator.id)  # never two big models resident at once
    with _work_lock(project, job):
        prepared = prepare_job(project, job, options, progress)
        try:
            return _generate_take(project, prepared, generator, progress, cancel)
        finally:
            release_take_key(project, job.clip, prepared.key)


def _generate_take(
    project: Project, prepared: PreparedJob, generator: Generator, progress: ProgressCallback, cancel: CancelToken
) -> Take:
    started = time.monotonic()
    created = now_iso()
    take: Take | None = None

    def write_record(blob: ContextBlob, frames: int) -> None:
        nonlocal take
        take = make_take(project, prepared, frames, created)
        seconds = time.monotonic() - started
        record = take_record(prepared, take, _identity(generator), blob.metadata, seconds)
        write_take_record(prepared.paths, record)

    try:
        generate(generator, prepared.render, prepared.paths.media, progress, cancel, before_publish=write_record)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            prepared.paths.record.unlink()  # nothing half-made under a take's name
        drop_empty_work_dir(prepared.render.work_dir)
        raise
    remove_work_dir(prepared.render.work_dir)
    assert take is not None
    return take


def _identity(generator: Generator) -> dict[str, str]:
    return {"id": generator.id, "version": generator.version}


def _checked_identity(project: Project, job: PlannedJob, options: dict[str, Any] | None):
    """Refuse, before anything renders, a recipe its generator cannot make or a plan made for another model."""
    problems = recipe_problems(job.recipe)
    if problems:
        raise ProjectError([Problem(p.message, file=project.path, clip=job.clip, field=p.field) for p in problems])
    identity = runtime_identity(job.recipe.generator, options)
    if job.identity is not None and job.identity.digest != identity.digest:
        raise ProjectError(
            Problem(
                f"was planned for {job.identity.label}, but this render uses {identity.label}; plan again",
                file=project.path,
                clip=job.clip,
            )
        )
    return identity


@contextlib.contextmanager
def _work_lock(project: Project, job: PlannedJob) -> Iterator[None]:
    """One local render per (clip, recipe) at a time: two would share checkpoints in its work folder.

    An OS lock on the folder itself: no lock file to leave behind, released if the process dies.
    """
    scratch = work_dir(project, job.clip, job.recipe_hash)
    scratch.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # Windows: the take reservation still keeps takes apart
        yield
        return
    fd = os.open(scratch, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = "is being rendered by another process right now; wait for it (its take will appear)"
            raise ProjectError(Problem(message, file=project.path, clip=job.clip)) from None
        yield
    finally:
        os.close(fd)
        drop_empty_work_dir(scratch)


def apply_take(project: Project, job: PlannedJob, take: Take) -> None:
    """Add a new take to its clip and make it active (or switch back to a reused one).

    A variation's recipe (its new seed) becomes the clip's recipe with it.
    """
    clip = project.clip(job.clip)
    if job.variation:  # the take's recipe becomes the clip's, so the new variation shows as rendered
        project.set_recipe(clip, job.recipe)
    if take.key in clip.media_references():
        use_take(clip, take.key)
    else:
        add_take(clip, take)


class LocalExecutor(Executor):
    """Renders in this process, one clip after another in plan order: the default, nothing to start."""

    name = "local"

    def render(self, project: Project, options: dict[str, Any], run: Run) -> None:
        prepare_generators(project, run.jobs, options, run.events.progress, run.cancels.everything)
        for job in run.jobs:
            blocked = run.blocked(job)
            if run.cancels.is_cancelled(job.clip) or isinstance(blocked, RenderCancelled):
                run.cancel(job)
                continue
            try:
                if blocked is not None:
                    raise blocked
                run.start(job)
                take = render_job(project, job, options, run.events.progress, run.cancels.token(job.clip))
            except RenderCancelled:
                run.cancel(job)
                continue
            except Exception as err:
                run.fail(job, err)
                if not run.events.keep_going:
                    raise
                continue
            run.finish(job, take)

    def close(self) -> None:
        pass  # generators stay cached in this process (registry.load_generator)


def render_project(
    project: Project,
    jobs: list[PlannedJob],
    options: dict[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_job: JobCallback | None = None,
    executor: Executor | None = None,
    listener: RenderEvents | None = None,
) -> list[Take]:
    """Run ``jobs`` (locally unless an ``executor`` is given); add each take and save atomically at once.

    ``on_job(index, count, job)`` is called as each job starts; ``listener`` hears every event too, its
    ``finished`` after the take is saved.  Cancelling stops at the next generator step; takes finished
    before that are kept and saved.  The first failure ends the run (jobs in flight are cancelled).
    """
    listener = listener or RenderEvents()
    takes: list[Take] = []
    started: list[str] = []
    with project_lock(project.path, command="fp-timeline render (cleaning up)"):
        clean_leftovers(project)
    baseline = [_disk_bytes(project)]

    def on_started(job: PlannedJob) -> None:
        started.append(job.clip)
        if on_job is not None:
            on_job(len(started) - 1, len(jobs), job)
        listener.started(job)

    def on_finished(job: PlannedJob, take: Take) -> None:
        baseline[0] = commit_take(project, job, take, baseline[0])
        takes.append(take)
        listener.finished(job, take)

    events = RenderEvents(
        started=on_started,
        progress=progress or _ignore,
        finished=on_finished,
        failed=listener.failed,
        cancelled=listener.cancelled,
    )
    (executor or LocalExecutor()).run(project, jobs, dict(options or {}), events, ClipCancels(cancel))
    return takes


def commit_take(project: Project, job: PlannedJob, take: Take, baseline: bytes | None) -> bytes | None:
    """Add ``take`` and save, under the writer lock, without losing edits another process saved meanwhile.

    ``baseline`` is the file as this process last read or wrote it.  When the file on disk differs (an
    ``add``, the window), the take goes into the project as it is on disk now, and ``project`` follows
    it; the rest of the render continues from that.  Returns the new baseline.
    """
    with project_lock(project.path, command="fp-timeline render (saving a take)"):
        current = _disk_bytes(project)
        if current is not None and current != baseline:
            merged = load_project(project.path)
            if not any(c.name == job.clip for c in merged.generated_clips()):
                return current  # the clip was deleted meanwhile: its take stays on disk, adoptable
            project.timeline, project.disk_digest = merged.timeline, merged.disk_digest
        apply_take(project, job, take)
        save_project(project)
        return _disk_bytes(project)


def _disk_bytes(project: Project) -> bytes | None:
    try:
        return project.path.read_bytes()
    except FileNotFoundError:
        return None


def prepare_generators(
    project: Project,
    jobs: list[PlannedJob],
    options: dict[str, Any] | None,
    progress: ProgressCallback,
    cancel: CancelToken,
) -> None:
    """Let each generator that can do a whole render's shared work first (one text-encoder session).

    Only a speed-up: if it fails, the clips' own renders meet (and report, naming the clip) the same problem.
    """
    by_generator: dict[str, list] = {}
    for job in jobs:
        if job.reuse is None:
            by_generator.setdefault(job.recipe.generator, []).append(job.recipe)
    for generator_id, recipes in by_generator.items():
        try:
            generator = registry.load_generator(generator_id)
            if isinstance(generator, PreparesRender):
                generator.prepare(recipes, dict(options or {}), project.data_dir / "cache", progress, cancel)
        except RenderCancelled:
            raise
        except Exception:  # noqa: BLE001 - reported by the clip that meets it
            continue


def _ignore(_: Progress) -> None:
    pass
