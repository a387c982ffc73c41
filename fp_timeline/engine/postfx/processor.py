"""The processor protocol: what turns one video into its processed version, and what it will give.

Built-in processors (``builtin``) use FFmpeg filters; learned ones (an ESRGAN-family upscaler...)
live in plugins and are found through the ``fp_timeline.postfx`` entry point group, so the engine
never imports torch.  ``shape`` predicts the output (frames, rate, size) before anything runs: the
planner and the tests know what to expect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from fp_timeline.engine.generator import CancelToken
from fp_timeline.engine.media import VideoInfo, iter_frames
from fp_timeline.project.effects import BUILTIN_MODEL, PostEffect
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.timing import RationalTime, frame_at

ENTRY_POINT_GROUP = "fp_timeline.postfx"
LEARNED_UPSCALER = "esrgan"  # the entry point that upscales with a weights file


@dataclass(frozen=True)
class StageInput:
    """One stage's input: the video, what it is, and what the effect refers to, resolved."""

    clip: str
    source: Path
    info: VideoInfo
    effect: PostEffect
    model: Path | None = None  # upscale: the weights file
    reference: Path | None = None  # colormatch: the reference clip's take

    def frames(self, cancel: CancelToken | None = None) -> Iterator[np.ndarray]:
        for frame in iter_frames(self.source):
            if cancel is not None:
                cancel.raise_if_cancelled()
            yield frame


@runtime_checkable
class Processor(Protocol):
    id: str
    version: str  # changes whenever output pixels would change: part of the cache key

    def shape(self, effect: PostEffect, info: VideoInfo) -> VideoInfo: ...

    def process(self, stage: StageInput, cancel: CancelToken) -> Iterator[np.ndarray]: ...


def scaled_size(info: VideoInfo, factor: float) -> tuple[int, int]:
    """The upscaled size, rounded to even numbers (H.264 yuv420p needs them)."""
    return 2 * round(info.width * factor / 2), 2 * round(info.height * factor / 2)


def interpolated(info: VideoInfo, effect: PostEffect) -> VideoInfo:
    """Output rate ``fps`` (or rate x factor); the first and last source frames are kept, in between filled."""
    fps, factor = effect.settings["fps"], effect.settings["factor"]
    rate = fps if fps else info.rate * factor
    frames = frame_at(RationalTime(info.frames - 1, info.rate), rate) + 1  # the last source frame is kept
    return VideoInfo(frames=frames, rate=rate, width=info.width, height=info.height)


@cache
def learned_processor(name: str) -> Processor:
    """A processor from a plugin (entry point ``name`` in ``fp_timeline.postfx``); one per process."""
    matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not matches:
        raise ProjectError(Problem(f"no post-processing plugin {name!r} is installed", field="effects"))
    try:
        return matches[0].load()()
    except Exception as err:  # a broken plugin (or missing torch) must not take the app down
        raise ProjectError(Problem(f"post-processing plugin {name!r} could not be loaded: {err}")) from err


def processor_for(effect: PostEffect, builtin: Callable[[str], Processor]) -> Processor:
    """The processor that runs ``effect``: a learned upscaler for a weights file, else the built-in."""
    if effect.kind == "upscale" and effect.settings["model"] != BUILTIN_MODEL:
        return learned_processor(LEARNED_UPSCALER)
    return builtin(effect.kind)
