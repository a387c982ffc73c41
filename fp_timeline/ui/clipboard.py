"""Copy, cut, paste and duplicate: clips travel with their recipes and takes.

What is copied goes on the system clipboard as OTIO JSON (our own MIME type, plus the text), so a
paste works in another fp-timeline window too.  Pasted clips get fresh names; their takes still
point at the same rendered files (takes are never overwritten, so sharing them is safe), which
keeps a pasted rendered clip rendered.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import opentimelineio as otio
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from fp_timeline.project.document import Project
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.timeline_edits import Replacement, locate
from fp_timeline.project.track_edits import clip_starts, diff, frames, place

MIME_TYPE = "application/x-fp-timeline-clips+json"


@dataclass
class Copied:
    """Clips with where each sat relative to the first: (frame offset, track offset)."""

    clips: list[otio.schema.Clip]
    offsets: list[tuple[int, int]]


def copy_clips(project: Project, names: list[str]) -> Copied:
    starts = clip_starts(project)
    located = sorted((locate(project, n) for n in names), key=lambda found: (starts[found[2].name], found[0]))
    first_frame = starts[located[0][2].name]
    first_track = min(t for t, _, _ in located)
    return Copied(
        [copy.deepcopy(clip) for _, _, clip in located],
        [(starts[clip.name] - first_frame, t - first_track) for t, _, clip in located],
    )


def to_clipboard(copied: Copied) -> None:
    payload = json.dumps(
        {"clips": [json.loads(c.to_json_string()) for c in copied.clips], "offsets": copied.offsets}, indent=1
    )
    mime = QMimeData()
    mime.setData(MIME_TYPE, payload.encode("utf-8"))
    mime.setText(payload)
    QGuiApplication.clipboard().setMimeData(mime)


def from_clipboard() -> Copied | None:
    """What an fp-timeline window copied, or None (anything else on the clipboard is not clips)."""
    mime = QGuiApplication.clipboard().mimeData()
    if mime is None or not mime.hasFormat(MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(mime.data(MIME_TYPE)).decode("utf-8"))
        clips = [otio.adapters.read_from_string(json.dumps(c), adapter_name="otio_json") for c in payload["clips"]]
        offsets = [tuple(o) for o in payload["offsets"]]
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(c, otio.schema.Clip) and METADATA_KEY in c.metadata for c in clips):
        return None
    return Copied(clips, offsets)


def fresh_names(project: Project, clips: list[otio.schema.Clip]) -> list[otio.schema.Clip]:
    """Copies of ``clips`` under names not used in the project (shot_010 -> shot_015, ...)."""
    taken = {c.name for c in project.generated_clips()}
    renamed = []
    for clip in clips:
        name = _free_name(clip.name, taken)
        taken.add(name)
        fresh = copy.deepcopy(clip)
        fresh.name = name
        renamed.append(fresh)
    return renamed


def _free_name(name: str, taken: set[str]) -> str:
    prefix, _, number = name.rpartition("_")
    if prefix and number.isdigit():
        width, value = len(number), int(number)
        for step in (5, 2, 1, *range(3, 1000)):
            candidate = f"{prefix}_{value + step:0{width}d}"
            if candidate not in taken:
                return candidate
    suffix = 2
    while f"{name}_{suffix}" in taken:
        suffix += 1
    return f"{name}_{suffix}"


def paste(project: Project, copied: Copied, track: int, frame: int, insert: bool, text: str) -> list[Replacement]:
    """The copied clips at ``frame`` on ``track`` (and the tracks above, as they were copied), each
    in the gap there or at the nearest cut; one replacement per track touched."""
    clips = fresh_names(project, copied.clips)
    rate = project.rate
    tracks = project.tracks()
    new: dict[int, list] = {}
    for clip, (frame_offset, track_offset) in zip(clips, copied.offsets, strict=True):
        t = min(track + track_offset, len(tracks) - 1)
        children = new.get(t, list(tracks[t]))
        new[t] = place(children, clip, frame + frame_offset, rate, insert)
    names = [c.name for c in clips]
    steps = []
    for t, children in new.items():
        step = diff(t, list(tracks[t]), children, text, select=names)
        if step is not None:
            steps.append(step)
    return steps


def selection_end(project: Project, names: list[str]) -> tuple[int, int]:
    """(track, frame) right after the last selected clip: where Duplicate puts the copies."""
    starts = clip_starts(project)
    rate = project.rate
    last = max((locate(project, n) for n in names), key=lambda found: starts[found[2].name] + frames(found[2], rate))
    return last[0], starts[last[2].name] + frames(last[2], rate)
