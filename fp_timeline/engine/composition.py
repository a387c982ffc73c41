"""What each frame of the movie shows: the one reading of a timeline's stacking and dissolves, used by
the conform (the exported movie) and the viewer (so the window shows exactly that movie).

Tracks stack, later ones on top; a track switched off (OTIO ``enabled`` False) is not there.  On a track
each clip covers its frames of the timeline grid (its range rounded to the nearest frame boundary), and
a ``Transition`` (cross-dissolve) covers ``in_offset`` before its cut and ``out_offset`` after it: frame
``k`` of an ``L``-frame dissolve shows ``(k + 0.5) / L`` of the incoming side.  A side that is not a clip
(a gap, the track's end) is black.  ``Shot.media_frame`` says which frame of a clip's media shows at a
timeline frame, with the rates as exact fractions (``project.timing``); past either end of the media the
first or last frame is held (give ``frames`` to clamp).

No Qt, no torch.  Which file a generated clip shows (its take, or its processed media) is the caller's;
a plain clip shows its ``ExternalReference``'s file (``external_media``).  The pixels of a frame follow
one rule too: a frame of another size is letterboxed (``fit_frame``), a dissolve mixes the two sides
by its weight (``dissolve``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import opentimelineio as otio
from PIL import Image

from fp_timeline.project.document import Project
from fp_timeline.project.media_url import media_file
from fp_timeline.project.timing import RationalTime, frame_at, nearest_frame


@dataclass(frozen=True, eq=False)  # told apart by identity: two shots of one file are two shots
class Shot:
    """A clip placed on the timeline's frame grid: it covers frames [start, end)."""

    clip: otio.schema.Clip
    track: int  # its track's index in ``Project.tracks()``
    index: int  # its index in the track
    start: int
    end: int
    rate: float  # the timeline rate (the frames above count at it)
    source_in: RationalTime  # the media time shown at ``start`` (``source_range``'s start)
    origin: RationalTime | None  # the media time of the file's first frame (``available_range``'s start)

    @property
    def name(self) -> str:
        return self.clip.name

    def media_frame(self, n: int, media_rate: float, frames: int | None = None) -> int:
        """The frame of the shot's media (a file at ``media_rate``) shown at timeline frame ``n``;
        with ``frames`` (the file's length) held at its first or last frame outside it."""
        index = frame_at(self.source_in, media_rate, self.origin, RationalTime(n - self.start, self.rate))
        return index if frames is None else min(max(index, 0), frames - 1)


@dataclass(frozen=True)
class Dissolve:
    start: int
    end: int
    outgoing: Shot | None  # None: dissolving from a gap (black)
    incoming: Shot | None  # None: dissolving to a gap (black)

    def weight(self, n: int) -> float:
        """How much of the incoming side frame ``n`` shows: ``(k + 0.5) / L`` at frame ``k`` of ``L``."""
        return (n - self.start + 0.5) / (self.end - self.start)


@dataclass(frozen=True)
class Mix:
    """What one frame shows: ``outgoing`` alone (``dissolve`` False), or ``outgoing`` dissolving into
    ``incoming`` with ``weight`` of the incoming one.  A side that is None is black."""

    outgoing: Shot | None
    incoming: Shot | None = None
    weight: float = 0.0
    dissolve: bool = False

    def current(self, n: int) -> Shot | None:
        """The shot whose own frames hold ``n`` (in a dissolve, the side of the cut ``n`` is on)."""
        for shot in (self.outgoing, self.incoming):
            if shot is not None and shot.start <= n < shot.end:
                return shot
        return self.outgoing or self.incoming


@dataclass(frozen=True)
class Layer:
    """One enabled track's shots and dissolves, each in timeline order."""

    track: int
    shots: list[Shot]
    dissolves: list[Dissolve]
    _shot_starts: list[int] = field(init=False, repr=False)
    _dissolve_starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_shot_starts", [s.start for s in self.shots])
        object.__setattr__(self, "_dissolve_starts", [d.start for d in self.dissolves])

    def at(self, n: int) -> Mix | None:
        """The track's picture at frame ``n``; None where it has nothing (a gap: lower tracks show)."""
        i = bisect.bisect_right(self._dissolve_starts, n) - 1
        if i >= 0 and n < self.dissolves[i].end:
            d = self.dissolves[i]
            return Mix(d.outgoing, d.incoming, d.weight(n), dissolve=True)
        i = bisect.bisect_right(self._shot_starts, n) - 1
        if i >= 0 and n < self.shots[i].end:
            return Mix(self.shots[i])
        return None


@dataclass(frozen=True)
class Composition:
    layers: list[Layer]  # bottom to top
    rate: float

    @property
    def shots(self) -> list[Shot]:
        return [s for layer in self.layers for s in layer.shots]

    @property
    def frames(self) -> int:
        """The movie's length: the end of the last shot on any track."""
        return max((s.end for s in self.shots), default=0)

    def movie_size(self, size_of: Callable[[Shot], tuple[int, int] | None]) -> tuple[int, int] | None:
        """The movie's (width, height): the first shot's (bottom track first) that has media, ``size_of``
        giving a shot's size or None.  The conform and the viewer both size the movie by this rule."""
        return next((size for size in map(size_of, self.shots) if size is not None), None)

    def at(self, n: int) -> Mix | None:
        """Frame ``n`` of the movie: the top track with something there wins; None is black."""
        for layer in reversed(self.layers):
            mix = layer.at(n)
            if mix is not None:
                return mix
        return None


def compose(project: Project) -> Composition:
    """The project's timeline on its frame grid (one pass per track)."""
    rate = project.rate
    layers = [_layer(t, track, rate) for t, track in enumerate(project.tracks()) if track.enabled]
    return Composition(layers, rate)


def _layer(t: int, track: otio.schema.Track, rate: float) -> Layer:
    shots: dict[int, Shot] = {}
    spans: list[tuple[int, otio.schema.Transition, RationalTime]] = []
    position = RationalTime(0, rate)
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Transition):
            spans.append((index, item, position))
            continue
        duration = item.duration()
        if isinstance(item, otio.schema.Clip):
            available = item.media_reference.available_range
            shots[index] = Shot(
                clip=item,
                track=t,
                index=index,
                start=nearest_frame(position, rate),
                end=nearest_frame(position + duration, rate),
                rate=rate,
                source_in=item.trimmed_range().start_time,
                origin=available.start_time if available is not None else None,
            )
        position = position + duration
    dissolves = [
        Dissolve(
            start=nearest_frame(cut - item.in_offset, rate),
            end=nearest_frame(cut + item.out_offset, rate),
            outgoing=shots.get(index - 1),
            incoming=shots.get(index + 1),
        )
        for index, item, cut in spans
    ]
    return Layer(t, list(shots.values()), [d for d in dissolves if d.end > d.start])


def external_media(project: Project, clip: otio.schema.Clip) -> Path | None:
    """The file a plain (imported) clip shows, when there is one on disk."""
    ref = clip.media_reference
    if not isinstance(ref, otio.schema.ExternalReference) or not ref.target_url:
        return None
    path = media_file(project.folder, ref.target_url)
    return path if path is not None and path.is_file() else None


def fit_frame(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """``frame`` scaled to fit ``width`` x ``height``, centred on black (letterboxed), as uint8 RGB."""
    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame
    scale = min(width / w, height / h)
    fw, fh = max(1, round(w * scale)), max(1, round(h * scale))
    fitted = np.asarray(Image.fromarray(np.asarray(frame, dtype=np.uint8)).resize((fw, fh), Image.BILINEAR))
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    y0, x0 = (height - fh) // 2, (width - fw) // 2
    canvas[y0 : y0 + fh, x0 : x0 + fw] = fitted
    return canvas


def dissolve(outgoing: np.ndarray, incoming: np.ndarray, weight: float) -> np.ndarray:
    """A cross-dissolve frame: ``weight`` of ``incoming`` over ``outgoing`` (same size), rounded to uint8."""
    a, b = outgoing.astype(np.float32), incoming.astype(np.float32)
    return np.round(a * (1 - weight) + b * weight).astype(np.uint8)
