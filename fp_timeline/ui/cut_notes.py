"""What a trimmed cut means for carried clips, in words, for the inspector."""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.project.document import Project
from fp_timeline.project.recipe import METADATA_KEY


def trim_note(project: Project, clip: otio.schema.Clip) -> str:
    """A sentence when the clip hides part of its generation and a carried clip follows it; else ""."""
    recipe = project.recipe(clip)
    shown = clip.trimmed_range()
    out_frame = round(shown.end_time_exclusive().to_frames())
    if out_frame >= recipe.frames:
        return ""
    following = _next_clip(clip)
    if following is None or METADATA_KEY not in following.metadata or not project.recipe(following).carries:
        return ""
    hidden = recipe.frames - out_frame
    return (
        f"Trimmed cut: {hidden} generated frame(s) after the out point are hidden, but {following.name} "
        f"continues from the untrimmed end (frame {recipe.frames}), so the motion jumps at the cut. "
        "Shorten the duration instead to make the generation end there (it renders again)."
    )


def _next_clip(clip: otio.schema.Clip) -> otio.schema.Clip | None:
    track = clip.parent()
    if track is None:
        return None
    for item in list(track)[track.index(clip) + 1 :]:
        if isinstance(item, otio.schema.Clip):
            return item
        if isinstance(item, otio.schema.Gap):
            return None
    return None
