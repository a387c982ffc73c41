"""FFmpeg filters through PyAV's filter graph: RGB frames in, RGB frames out, streamed.

``filtered`` runs a linear chain (``scale``, ``minterpolate``, ``nlmeans``...) over an iterator of
frames and yields what the graph gives back as soon as it gives it, so memory stays at what the
filters themselves hold.  ``crossfaded`` runs FFmpeg's two-input ``xfade``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction

import av
import av.filter
import numpy as np

from fp_timeline.project.timing import rate_fraction

FilterChain = list[tuple[str, str]]


def missing_filters(names: Iterable[str]) -> list[str]:
    """The filters this PyAV build's FFmpeg lacks (PyAV wheels ship their own FFmpeg)."""
    available = set(av.filter.filters_available)
    return [name for name in names if name not in available]


def _source(graph: av.filter.Graph, width: int, height: int, rate: float) -> av.filter.context.FilterContext:
    fraction = rate_fraction(rate)
    args = (
        f"video_size={width}x{height}:pix_fmt=rgb24:time_base={fraction.denominator}/{fraction.numerator}"
        f":frame_rate={fraction.numerator}/{fraction.denominator}:pixel_aspect=1/1"
    )
    return graph.add("buffer", args)


def _frame(array: np.ndarray, pts: int, rate: float) -> av.VideoFrame:
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(array, dtype=np.uint8), format="rgb24")
    frame.pts = pts
    frame.time_base = 1 / Fraction(rate_fraction(rate))
    return frame


def _drain(sink: av.filter.context.FilterContext) -> Iterator[np.ndarray]:
    while True:
        try:
            yield sink.pull().to_ndarray(format="rgb24")
        except (av.BlockingIOError, av.EOFError):
            return


def filtered(frames: Iterable[np.ndarray], rate: float, chain: FilterChain) -> Iterator[np.ndarray]:
    """``frames`` (all one size, at ``rate``) through the filters of ``chain`` in order."""
    graph: av.filter.Graph | None = None
    source = sink = None
    for index, array in enumerate(frames):
        if graph is None:
            graph = av.filter.Graph()
            height, width = array.shape[:2]
            source = previous = _source(graph, width, height, rate)
            for name, args in chain:
                node = graph.add(name, args)
                previous.link_to(node)
                previous = node
            sink = graph.add("buffersink")
            previous.link_to(sink)
            graph.configure()
        source.push(_frame(array, index, rate))
        yield from _drain(sink)
    if graph is not None:
        source.push(None)
        yield from _drain(sink)


def crossfaded(
    first: Iterable[np.ndarray], second: Iterable[np.ndarray], size: tuple[int, int], rate: float, args: str
) -> Iterator[np.ndarray]:
    """FFmpeg ``xfade`` of ``first`` into ``second`` (``args``: transition, duration, offset in seconds)."""
    width, height = size
    graph = av.filter.Graph()
    sources = [_source(graph, width, height, rate) for _ in range(2)]
    xfade = graph.add("xfade", args)
    sources[0].link_to(xfade, 0, 0)
    sources[1].link_to(xfade, 0, 1)
    sink = graph.add("buffersink")
    xfade.link_to(sink)
    graph.configure()
    for source, frames in zip(sources, (first, second), strict=True):
        for index, array in enumerate(frames):
            source.push(_frame(array, index, rate))
            yield from _drain(sink)
        source.push(None)
        yield from _drain(sink)
