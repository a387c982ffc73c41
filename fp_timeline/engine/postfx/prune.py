"""Dropping processed media nothing uses any more: the cache only grows while settings are tried out.

Only on request (``fp-timeline fx PROJECT --prune``): a file is kept when it is a stage of any clip's
current chain (its active take with its current effects); everything else under ``derived/`` goes,
as do the folders of clips no longer in the project.  Takes are never touched.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from fp_timeline.engine.postfx.jobs import derived_dir, postfx_job
from fp_timeline.project.document import Project
from fp_timeline.project.errors import ProjectError


@dataclass(frozen=True)
class Pruned:
    files: int
    bytes: int


def prune_derived(project: Project) -> Pruned:
    """Delete derived media that no clip's current chain uses; returns what went."""
    root = project.data_dir / "derived"
    if not root.is_dir():
        return Pruned(0, 0)
    keep: set[Path] = set()
    for clip in project.generated_clips():
        try:
            job = postfx_job(project, clip)
        except ProjectError:  # a stack that cannot plan now (missing weights): keep its folder as it is
            keep.update(derived_dir(project, clip.name).glob("*"))
            continue
        for stage in job.stages if job is not None else ():
            keep.update({stage.path, stage.path.with_suffix(".json")})
    files = size = 0
    for path in sorted(root.rglob("*"), reverse=True):  # files before their folders
        if path.is_file() and path not in keep:
            size += path.stat().st_size
            path.unlink()
            files += 1
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)
    return Pruned(files, size)
