"""Shared by the adapter and export tests (no tests here): sample projects with real rendered takes.

Takes are tiny real mp4 files written with PyAV, added with ``takes.add_take``; no generator runs.
A project can be re-timed to another rate (frame counts kept) to test 23.976, 29.97 and friends.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio

from fp_timeline.engine.store import next_free_take_key, take_paths
from fp_timeline.project.document import Project, load_project, save_project
from fp_timeline.project.takes import Take, add_take
from fp_timeline_otio.media_urls import path_from_url
from tests.sample_copies import pristine_sample

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange
SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects"
SAMPLE_NAMES = ("one_shot", "three_shots")
RATES = (24.0, 25.0, 30.0, 23.976, 29.97)


def write_mp4(path: Path, frames: int, rate: float, size: tuple[int, int] = (32, 32), shade: int = 0) -> Path:
    """A real H.264 file of ``frames`` flat frames (each a different grey), at ``rate``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(rate).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for i in range(frames):
            image = np.full((size[1], size[0], 3), (shade + 3 * i) % 256, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def render_fake_take(project: Project, clip: otio.schema.Clip, recipe_hash: str = "0123456789abcdef") -> Take:
    """Write an mp4 as long as the clip's recipe and add it as the clip's next, active take."""
    recipe = project.recipe(clip)
    key = next_free_take_key(project, clip)
    media = take_paths(project, clip.name, key).media
    write_mp4(media, recipe.frames, recipe.fps, shade=len(key) * 17 + recipe.seed)
    take = Take(key, project.relative(media), recipe_hash, recipe.frames, recipe.fps)
    add_take(clip, take)
    return take


def sample_copy(name: str, folder: Path, rate: float | None = None, gap: bool = True) -> Project:
    """A sample project copied into ``folder``, optionally re-timed, with a gap, every clip rendered."""
    target = pristine_sample(name, folder / name)
    project = load_project(target / f"{name}.otio")
    if rate is not None:
        retime(project, rate)
    track = project.tracks()[0]
    if gap and len(track) > 1:  # between clips: an EDL cannot tell a leading gap from a later start timecode
        gap_range = TimeRange(RationalTime(0, project.rate), RationalTime(5, project.rate))
        track.insert(1, otio.schema.Gap(source_range=gap_range))
    for clip in project.generated_clips():
        render_fake_take(project, clip)
    save_project(project)
    return project


def retime(project: Project, rate: float) -> None:
    """Every time in the project at ``rate``, frame counts unchanged (recipes too)."""

    def at(time: RationalTime) -> RationalTime:
        return RationalTime(time.value, rate)

    project.timeline.global_start_time = RationalTime(0, rate)
    for track in project.tracks():
        for item in track:
            if isinstance(item, otio.schema.Transition):
                item.in_offset, item.out_offset = at(item.in_offset), at(item.out_offset)
            elif isinstance(item, otio.schema.Clip):
                project.set_recipe(item, project.recipe(item).replace(fps=rate))
                item.source_range = TimeRange(at(item.source_range.start_time), at(item.source_range.duration))
            else:
                item.source_range = TimeRange(at(item.source_range.start_time), at(item.source_range.duration))


def normalised(timeline: otio.schema.Timeline) -> list[tuple]:
    """The cut as an NLE sees it, whatever the file format's way of writing transitions.

    Clips: name, media path and the media frames used (source range widened by the transitions on
    either side); transitions and gaps: where they sit on the record timeline.  A centred OTIO
    dissolve and the EDL's dissolve-from-the-cut give the same list for the same cut.
    """
    result = []
    for track in timeline.tracks:
        if track.kind != otio.schema.TrackKind.Video:
            continue
        items = list(track)
        for index, item in enumerate(items):
            before = items[index - 1] if index > 0 else None
            after = items[index + 1] if index + 1 < len(items) else None
            if isinstance(item, otio.schema.Clip):
                source = item.source_range
                start, end = source.start_time.value, source.end_time_exclusive().value
                if isinstance(before, otio.schema.Transition):
                    start -= before.in_offset.rescaled_to(source.start_time).value
                if isinstance(after, otio.schema.Transition):
                    end += after.out_offset.rescaled_to(source.start_time).value
                path = path_from_url(item.media_reference.target_url).as_posix()
                result.append(("clip", item.name, path, round(start), round(end)))
            elif isinstance(item, otio.schema.Transition):
                cut = track.range_of_child(after).start_time
                rate = cut.rate
                start = cut.value - item.in_offset.rescaled_to(rate).value
                length = (item.in_offset + item.out_offset).rescaled_to(rate).value
                result.append(("transition", round(start), round(length)))
            else:
                rng = track.range_of_child(item)
                result.append(("gap", round(rng.start_time.value), round(rng.duration.value)))
    return result
