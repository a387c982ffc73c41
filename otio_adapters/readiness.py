"""What stops a project from being exported: clips with no rendered take, or a take file that is gone.

Stale takes (rendered from an older recipe) do export: the editor gets what was rendered, and
``fp-timeline info`` shows which ones are stale.  Answering "stale?" needs each generator's version,
which loads the generator plugin, so it is left to the CLI and the engine.
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem
from fp_timeline.project.media_url import media_file
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import active_take


def export_problems(project: Project) -> list[Problem]:
    """One problem per clip that cannot be exported, naming the clip and what is missing."""
    problems: list[Problem] = []
    for track in project.timeline.tracks:  # audio tracks too: everything on the timeline goes out
        for item in track:
            if not isinstance(item, otio.schema.Clip):
                continue
            problem = _clip_problem(project, item)
            if problem is not None:
                problems.append(problem)
    return problems


def unready_clips(project: Project) -> list[str]:
    """Names of the clips ``export_problems`` complains about, in timeline order."""
    return [p.clip for p in export_problems(project) if p.clip is not None]


def plain_media(project: Project, ref: otio.schema.ExternalReference) -> Path:
    """The file a plain clip's reference points at: any URL spelling, project-relative paths resolved."""
    return media_file(project.folder, ref.target_url)


def _clip_problem(project: Project, clip: otio.schema.Clip) -> Problem | None:
    if METADATA_KEY in clip.metadata:
        take = active_take(clip)
        if take is None:
            return Problem("not rendered (no active take)", file=project.path, clip=clip.name)
        media = project.take_file(take.media)
        if media is None:
            message = f"{take.key} points outside the project folder ({take.media}); it is not exported"
            return Problem(message, file=project.path, clip=clip.name)
        if not media.is_file():
            return Problem(f"{take.key} is missing: {media}", file=project.path, clip=clip.name)
        return None
    # A plain clip (an imported movie): it exports if its file is there.
    ref = clip.media_reference
    if isinstance(ref, otio.schema.ExternalReference):
        media = plain_media(project, ref)
        if not media.is_file():
            return Problem(f"media is missing: {media}", file=project.path, clip=clip.name)
        return None
    return Problem(f"has no media to export ({type(ref).__name__})", file=project.path, clip=clip.name)
