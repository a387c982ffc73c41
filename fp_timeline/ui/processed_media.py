"""Which file the viewer shows for a clip with effects: its processed media, when it is built.

Asking the engine (``postfx.processed_media``) parses the effect stack and hashes files, so the answer
is kept per (take file version, effect settings) and only the "is it built yet" check repeats.
"""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio

from fp_timeline.engine.postfx.jobs import postfx_job
from fp_timeline.project.document import Project
from fp_timeline.project.effects import effect_stack
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.takes import active_take
from fp_timeline.ui.media_frames import file_version

_KEYS = 256  # clips x settings remembered


def processed_for_viewer(project: Project, clip: otio.schema.Clip) -> Path | None:
    """The processed file when the clip has effects and they are built; else None (it may be at another
    rate, interpolated: the viewer reads a file's frames at the file's own rate)."""
    take = active_take(clip)
    if take is None or not (clip.effects or _inherits_effects(clip, project)):
        return None
    version = file_version(project.resolve(take.media))
    try:
        stack = effect_stack(project.timeline, clip)
    except ProjectError:
        return None
    if version is None or not stack:
        return None
    settings = json.dumps([e.identity() for e in stack], sort_keys=True)
    media = _planned(project, clip, version, settings)
    if media is None or not media.is_file():
        return None
    return media


def _inherits_effects(clip: otio.schema.Clip, project: Project) -> bool:
    track = clip.parent()
    return bool((track is not None and track.effects) or project.timeline.tracks.effects)


def _planned(project: Project, clip: otio.schema.Clip, version: tuple[str, int], settings: str) -> Path | None:
    key = (str(project.path), clip.name, version, settings)
    if key not in _PLANNED:
        try:
            job = postfx_job(project, clip)
        except ProjectError:  # missing weights or reference: shown unprocessed, the inspector says why
            job = None
        if len(_PLANNED) >= _KEYS:
            _PLANNED.pop(next(iter(_PLANNED)))
        _PLANNED[key] = job.media if job is not None else None
    return _PLANNED[key]


_PLANNED: dict[tuple, Path | None] = {}
