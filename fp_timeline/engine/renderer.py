"""Executing planned jobs: generator → take files on disk → (the caller) add the take and save.

``render_job`` never mutates the project and keeps no global state, so the GUI can run it in a
worker thread on a deep copy and apply the returned ``Take`` on the UI thread with ``apply_take``.
``render_project`` is the CLI's loop: render, apply, save atomically, one clip at a time, so a
crash loses at most the clip in flight (whose sections the plugin checkpoints in ``work_dir``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from fp_timeline.engine import registry
from fp_timeline.engine.generator import CancelToken, Progress, ProgressCallback, RenderJob
from fp_timeline.engine.identity import runtime_identity
from fp_timeline.engine.imported import encode_imported_upstream
from fp_timeline.engine.media import VideoWriter
from fp_timeline.engine.planner import PlannedJob, find_clip, incoming_context, is_foreign
from fp_timeline.engine.store import next_free_take_key, take_paths, work_dir
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.project.atomic import write_text_atomic
from fp_timeline.project.document import Project, save_project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.takes import Take, add_take, takes_of, use_take

ENGINE_RECORD_VERSION = 1
JobCallback = Callable[[int, int, PlannedJob], None]


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
    clip = project.clip(job.clip)
    if job.reuse is not None:
        return next(t for t in takes_of(clip) if t.key == job.reuse)
    gen_id = job.recipe.generator
    generator = registry.load_generator(gen_id)
    identity = _checked_identity(project, job, options)
    incoming = incoming_context(project, job, options)
    if incoming is None and job.upstream is not None and is_foreign(project, find_clip(project, job.upstream), gen_id):
        incoming = encode_imported_upstream(project, job, options or {}, progress)
    if job.upstream is not None and incoming is None:
        raise ProjectError(
            Problem(
                f"carries from {job.upstream!r}, which has no rendered take for its current recipe; "
                f"render {job.upstream!r} first (or render the whole project)",
                file=project.path,
                clip=job.clip,
            )
        )
    key = next_free_take_key(project, clip)
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
    )
    started = time.monotonic()
    writer = VideoWriter(paths.media, rate=job.recipe.fps)
    try:
        blob = generator.render(render, writer, progress, cancel)
        if writer.frames_written == 0:
            raise ProjectError(Problem("the generator produced no frames", file=project.path, clip=job.clip))
        cancel.raise_if_cancelled()
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        take = Take(
            key=key,
            media=project.relative(paths.media),
            recipe_hash=job.recipe_hash,
            frames=writer.frames_written,
            rate=job.recipe.fps,
            context=project.relative(blob.path),
            created=created,
            model=identity.label,
            identity=identity.digest,
            recipe=job.recipe.to_metadata(),
        )
        record = {
            "engine_record": ENGINE_RECORD_VERSION,
            "clip": job.clip,
            "take": take.__dict__,
            "recipe": job.recipe.to_metadata(),
            "generator": {"id": generator.id, "version": generator.version, "runtime": identity.fields},
            "options": {k: str(v) for k, v in render.options.items()},
            "incoming": {"context": str(incoming.path), "hash": incoming.hash} if incoming else None,
            "context_metadata": dict(blob.metadata),
            "seconds": round(time.monotonic() - started, 3),
        }
        write_text_atomic(paths.record, json.dumps(record, indent=2, sort_keys=True))
        writer.close()  # last: the mp4 under its final name marks a complete take
    except BaseException:
        writer.abort()
        for leftover in (paths.context, paths.record):  # nothing half-made under a take's name
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        for folder in (scratch, scratch.parent):  # keep checkpoints for a resume, not empty folders
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    # Checkpoints are only useful to resume this exact render, which is now done.
    shutil.rmtree(scratch, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.rmdir(scratch.parent)  # only when empty
    return take


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


def render_project(
    project: Project,
    jobs: list[PlannedJob],
    options: dict[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_job: JobCallback | None = None,
) -> list[Take]:
    """Run ``jobs`` in order: render, add the take, save the project atomically after each clip.

    ``on_job(index, count, job)`` is called before each job starts.  Cancelling stops at the next
    generator step; takes finished before that are kept and saved.
    """
    cancel = cancel or CancelToken()
    takes = []
    for index, job in enumerate(jobs):
        cancel.raise_if_cancelled()
        if on_job is not None:
            on_job(index, len(jobs), job)
        take = render_job(project, job, options, progress, cancel)
        apply_take(project, job, take)
        save_project(project)
        takes.append(take)
    return takes


def _ignore(_: Progress) -> None:
    pass
