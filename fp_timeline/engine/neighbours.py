"""Frames a clip takes from its neighbours (protocol v2 ``Dependency``): the previous take's last frame,
the next take's first frame.  A bridge lands on them; the planner renders the neighbours first."""

from __future__ import annotations

import numpy as np
import opentimelineio as otio

from fp_timeline.engine.generator import Dependency
from fp_timeline.engine.imported import last_frames, video_frame_at
from fp_timeline.engine.media import iter_frames
from fp_timeline.engine.planner import PlannedJob, find_clip
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError


def neighbour_frames(project: Project, job: PlannedJob) -> dict[str, np.ndarray]:
    """By ``Dependency`` value, the (H, W, 3) uint8 frames ``job`` takes from the clips around it."""
    if not job.frames_from:
        return {}
    clip = project.clip(job.clip)
    order = _positions(project, job.track)
    found: dict[str, np.ndarray] = {}
    for name in job.frames_from:
        neighbour = find_clip(project, name)
        if order[name] < order[clip.name]:
            found[Dependency.PREVIOUS_LAST_FRAME.value] = last_frames(project, neighbour, count=1)[-1]
        else:
            found[Dependency.NEXT_FIRST_FRAME.value] = first_frame(project, neighbour)
    return found


def first_frame(project: Project, clip: otio.schema.Clip) -> np.ndarray:
    """The frame at the clip's in point, (H, W, 3) uint8."""
    no_take = "has no rendered take to take a frame from"
    path, start = video_frame_at(project, clip, clip.trimmed_range().start_time, no_take)
    for index, frame in enumerate(iter_frames(path)):
        if index >= start:
            return frame
    raise ProjectError(Problem(f"no frame at the in point of {path}", file=project.path, clip=clip.name))


def _positions(project: Project, track_name: str) -> dict[str, int]:
    for track in project.tracks():
        if track.name == track_name:
            return {item.name: i for i, item in enumerate(track) if isinstance(item, otio.schema.Clip)}
    return {}
