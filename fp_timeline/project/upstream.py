"""What a carried clip continues: the clip before it on its track, generated or imported (a video is
continued as well as a generation is).  Gaps and transitions in between do not break the chain.

Hashing, the load-time arrangement check, the editor's delete and the inspector all ask this.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import opentimelineio as otio

if TYPE_CHECKING:  # document's own checks use this module
    from fp_timeline.project.document import Project


def clips_with_upstream(track: otio.schema.Track) -> Iterator[tuple[otio.schema.Clip, otio.schema.Clip | None]]:
    """Each clip of ``track`` in order, with the clip it would continue (None for the first)."""
    previous: otio.schema.Clip | None = None
    for item in track:
        if isinstance(item, otio.schema.Clip):
            yield item, previous
            previous = item


def upstream_of(project: Project, name: str) -> otio.schema.Clip | None:
    """The clip that clip ``name`` continues when it carries; None when it is first (or not found)."""
    for track in project.tracks():
        for clip, before in clips_with_upstream(track):
            if clip.name == name:
                return before
    return None
