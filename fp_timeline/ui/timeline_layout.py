"""Where each item of the timeline sits, in seconds: the data the timeline view draws (no Qt).

Computed in one pass per track (not with ``Track.range_of_child_at_index``, which is linear per
call and would make a 2,000-clip track quadratic).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property
from pathlib import Path

import opentimelineio as otio

from fp_timeline.engine import capabilities, registry
from fp_timeline.engine.status import ClipStatus
from fp_timeline.project.document import Project
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import active_take
from fp_timeline.project.timing import RationalTime, nearest_frame


class BlockKind(str, Enum):
    CLIP = "clip"  # a generated clip
    OTHER = "other"  # any other clip (imported footage)
    GAP = "gap"
    TRANSITION = "transition"  # at a cut


@dataclass(frozen=True)
class Block:
    """One drawable item: a generated clip, another clip, a gap, or a transition at a cut."""

    kind: BlockKind
    track: int
    index: int  # child index in the track
    name: str
    start: float  # seconds from the timeline start
    duration: float  # seconds (transitions: their in + out offset)
    state: str = ""
    prompt: str = ""
    carries: bool = False
    needs: str = ""  # what it takes from its neighbours, in words (as its generator declares)
    thumbnail: Path | None = None
    take: str | None = None
    in_frame: int = 0  # the clip's in-point within its generated media
    frames: int = 0  # the recipe's generated length
    rate: float = 30.0  # the clip's frame rate (frames above count at this rate)
    media: Path | None = None  # the active take's video (for the filmstrip)
    span: tuple[int, int] = (0, 0)  # timeline frames [first, end) at the project rate, on the frame grid

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class TimelineLayout:
    tracks: list[list[Block]]
    track_names: list[str]
    duration: float  # seconds, the longest track
    hidden: frozenset[int] = frozenset()  # tracks switched off (OTIO ``enabled`` False): not seen, not exported
    locked: frozenset[int] = frozenset()  # tracks no edit may change

    def clips(self) -> list[Block]:
        return [b for track in self.tracks for b in track if b.kind is BlockKind.CLIP]

    @cached_property
    def _by_name(self) -> dict[str, Block]:
        return {b.name: b for b in self.clips()}

    def block(self, name: str) -> Block | None:
        return self._by_name.get(name)


def clip_of(project: Project, block: Block) -> otio.schema.Clip:
    """The clip ``block`` was laid out from, found by its place: ``Project.clip`` scans every clip by
    name, too slow for every frame of playback on a long timeline."""
    item = project.tracks()[block.track][block.index]
    return item if item.name == block.name else project.clip(block.name)


def layout_timeline(project: Project, statuses: dict[str, ClipStatus]) -> TimelineLayout:
    tracks: list[list[Block]] = []
    longest = 0.0
    resolved: dict[str, Path] = {}  # Path.resolve touches the disk: once per distinct image
    rate = project.rate
    for t, track in enumerate(project.tracks()):
        blocks: list[Block] = []
        position = 0.0
        at = RationalTime(0, rate)  # ``position`` as OTIO time: the frames are counted from it, exactly
        for i, item in enumerate(track):
            if isinstance(item, otio.schema.Transition):
                duration = item.in_offset.to_seconds() + item.out_offset.to_seconds()
                span = (nearest_frame(at - item.in_offset, rate), nearest_frame(at + item.out_offset, rate))
                start = position - item.in_offset.to_seconds()
                blocks.append(Block(BlockKind.TRANSITION, t, i, item.name, start, duration, span=span))
                continue
            length = item.duration()
            duration = length.to_seconds()
            span = (nearest_frame(at, rate), nearest_frame(at + length, rate))
            if isinstance(item, otio.schema.Gap):
                blocks.append(Block(BlockKind.GAP, t, i, item.name, position, duration, span=span))
            elif isinstance(item, otio.schema.Clip) and METADATA_KEY in item.metadata:
                block = _clip_block(project, item, t, i, position, duration, statuses.get(item.name), resolved)
                blocks.append(replace(block, span=span))
            else:
                blocks.append(Block(BlockKind.OTHER, t, i, item.name, position, duration, span=span))
            position += duration
            at = at + length
        tracks.append(blocks)
        longest = max(longest, position)
    # An FCP 7 XML import can leave a track unnamed: call it what the NLE shows (V1, V2, ...).
    names = [track.name or f"V{t + 1}" for t, track in enumerate(project.tracks())]
    hidden = frozenset(t for t, track in enumerate(project.tracks()) if not track.enabled)
    locked = frozenset(t for t, track in enumerate(project.tracks()) if is_locked(track))
    return TimelineLayout(tracks, names, longest, hidden, locked)


def is_locked(track: otio.schema.Track) -> bool:
    return bool(track.metadata.get(METADATA_KEY, {}).get("locked"))


def _clip_block(
    project: Project,
    clip: otio.schema.Clip,
    t: int,
    i: int,
    start: float,
    duration: float,
    status: ClipStatus | None,
    resolved: dict[str, Path],
) -> Block:
    recipe = status.recipe if status is not None else None
    if recipe is None:
        try:
            recipe = project.recipe(clip)
        except Exception:  # an invalid recipe still gets a block (drawn as an error)
            return Block(BlockKind.CLIP, t, i, clip.name, start, duration, state="error")
    thumb = None
    if recipe.image:
        if recipe.image not in resolved:
            resolved[recipe.image] = project.resolve(recipe.image)
        thumb = resolved[recipe.image]
    take = active_take(clip)
    if thumb is None and take is not None:
        thumb = project.resolve(take.media)
    in_frame = round(clip.source_range.start_time.value) if clip.source_range else 0
    return Block(
        BlockKind.CLIP,
        t,
        i,
        clip.name,
        start,
        duration,
        state=status.state.value if status is not None else "error",
        prompt=recipe.prompt,
        carries=recipe.carries,
        needs=capabilities.describe_needs(registry.clip_needs(recipe)),
        thumbnail=thumb,
        take=take.key if take else None,
        in_frame=in_frame,
        frames=recipe.frames,
        rate=recipe.fps,
        media=project.resolve(take.media) if take is not None else None,
    )
