"""Built-in post-processes, no weights needed: FFmpeg filters (PyAV's bundled build) and one numpy step.

upscale     ``scale`` with lanczos                  interpolate  ``minterpolate`` (mci) or ``framerate`` (blend)
loop        ``xfade`` of the end into the start, or ``reverse`` for a ping-pong
denoise     ``nlmeans``                             sharpen      ``unsharp``
colormatch  per-frame channel mean/deviation moved to the reference clip's (numpy)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from fp_timeline.engine.generator import CancelToken
from fp_timeline.engine.media import VideoInfo, iter_frames
from fp_timeline.engine.postfx.graph import crossfaded, filtered
from fp_timeline.engine.postfx.processor import Processor, StageInput, interpolated, scaled_size
from fp_timeline.project.effects import PostEffect
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.timing import rate_fraction

FILTERS_USED = ("scale", "minterpolate", "framerate", "tpad", "xfade", "reverse", "nlmeans", "unsharp")
INTERPOLATION_PAD = 4  # frames repeated past the end: minterpolate needs frames ahead to reach the last one


class _Builtin:
    version = "1"

    def __init__(self, kind: str) -> None:
        self.id = f"builtin.{kind}"

    def shape(self, effect: PostEffect, info: VideoInfo) -> VideoInfo:
        return info


class Upscale(_Builtin):
    def shape(self, effect: PostEffect, info: VideoInfo) -> VideoInfo:
        width, height = scaled_size(info, effect.settings["factor"])
        return replace(info, width=width, height=height)

    def process(self, stage: StageInput, cancel: CancelToken) -> Iterator[np.ndarray]:
        out = self.shape(stage.effect, stage.info)
        return filtered(stage.frames(cancel), stage.info.rate, [("scale", f"{out.width}:{out.height}:flags=lanczos")])


class Interpolate(_Builtin):
    def shape(self, effect: PostEffect, info: VideoInfo) -> VideoInfo:
        return interpolated(info, effect)

    def process(self, stage: StageInput, cancel: CancelToken) -> Iterator[np.ndarray]:
        out = self.shape(stage.effect, stage.info)
        fps = rate_fraction(out.rate)
        if stage.effect.settings["method"] == "mci":
            last = ("minterpolate", f"fps={fps.numerator}/{fps.denominator}:mi_mode=mci")
        else:
            last = ("framerate", f"fps={fps.numerator}/{fps.denominator}")
        chain = [("tpad", f"stop_mode=clone:stop={INTERPOLATION_PAD}"), last]
        frames = filtered(stage.frames(cancel), stage.info.rate, chain)
        return itertools.islice(frames, out.frames)  # the padding's frames past the last source frame go


class Loop(_Builtin):
    """``pingpong``: forward then back (2n - 2 frames).  ``crossfade``: the end dissolves into the start.

    Crossfade of ``overlap`` = T frames: the output is frames T+1 .. n-1, whose last T frames dissolve
    into frames 0 .. T, ending on frame T; played again it goes on with frame T+1, so the cut is gone.
    """

    def shape(self, effect: PostEffect, info: VideoInfo) -> VideoInfo:
        n, overlap = info.frames, effect.settings["overlap"]
        if effect.settings["mode"] == "pingpong":
            return replace(info, frames=2 * n - 2)
        return replace(info, frames=n - overlap)

    def process(self, stage: StageInput, cancel: CancelToken) -> Iterator[np.ndarray]:
        n, overlap = stage.info.frames, stage.effect.settings["overlap"]
        if stage.effect.settings["mode"] == "pingpong":
            if n < 3:
                raise _too_short(stage, "a ping-pong loop needs at least 3 frames")
            middle = itertools.islice(stage.frames(cancel), 1, n - 1)
            return itertools.chain(stage.frames(cancel), filtered(middle, stage.info.rate, [("reverse", "")]))
        if n < 2 * overlap + 2:
            raise _too_short(stage, f"a crossfade loop of {overlap} frames needs at least {2 * overlap + 2} frames")
        rate = stage.info.rate
        tail = itertools.islice(stage.frames(cancel), overlap + 1, None)
        head = itertools.islice(stage.frames(cancel), overlap + 1)
        offset = (n - overlap - 1 - overlap) / rate
        args = f"transition=fade:duration={overlap / rate:.6f}:offset={offset:.6f}"
        size = (stage.info.width, stage.info.height)
        return itertools.islice(crossfaded(tail, head, size, rate, args), n - overlap)


class Denoise(_Builtin):
    def process(self, stage: StageInput, cancel: CancelToken) -> Iterator[np.ndarray]:
        strength = stage.effect.settings["strength"]
        return filtered(stage.frames(cancel), stage.info.rate, [("nlmeans", f"s={strength:g}")])


class Sharpen(_Builtin):
    def process(self, stage: StageInput, cancel: CancelToken) -> Iterator[np.ndarray]:
        size, amount = stage.effect.settings["size"], stage.effect.settings["amount"]
        return filtered(stage.frames(cancel), stage.info.rate, [("unsharp", f"{size}:{size}:{amount:g}")])


class ColorMatch(_Builtin):
    """Each frame's per-channel mean and deviation moved to the reference clip's (drift shows as colour first)."""

    SAMPLES = 16  # reference frames measured, spread over the clip

    def process(self, stage: StageInput, cancel: CancelToken) -> Iterator[np.ndarray]:
        if stage.reference is None:
            raise ProjectError(Problem("colormatch needs the reference clip's take", clip=stage.clip, field="effects"))
        target_mean, target_std = self._reference_stats(stage)
        strength = stage.effect.settings["strength"]
        for frame in stage.frames(cancel):
            pixels = frame.astype(np.float32)
            mean = pixels.mean(axis=(0, 1))
            std = pixels.std(axis=(0, 1)) + 1e-3
            matched = (pixels - mean) * (target_std / std) + target_mean
            yield np.clip(pixels + strength * (matched - pixels) + 0.5, 0, 255).astype(np.uint8)

    def _reference_stats(self, stage: StageInput) -> tuple[np.ndarray, np.ndarray]:
        frames = list(iter_frames(stage.reference))
        step = max(1, len(frames) // self.SAMPLES)
        sample = np.stack(frames[::step]).astype(np.float32)
        per_frame_std = sample.std(axis=(1, 2)).mean(axis=0)
        return sample.mean(axis=(0, 1, 2)), per_frame_std


def _too_short(stage: StageInput, message: str) -> ProjectError:
    return ProjectError(Problem(f"{message} (this take has {stage.info.frames})", clip=stage.clip, field="effects"))


BUILTINS: dict[str, type[_Builtin]] = {
    "upscale": Upscale,
    "interpolate": Interpolate,
    "loop": Loop,
    "denoise": Denoise,
    "sharpen": Sharpen,
    "colormatch": ColorMatch,
}


def builtin_processor(kind: str) -> Processor:
    return BUILTINS[kind](kind)
