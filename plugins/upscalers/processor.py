"""``LearnedUpscaler``: the ``upscale`` effect with a weights file, frame by frame, optionally in tiles.

The model's own scale may differ from the effect's factor (a x4 model for a x2 upscale): its output
is resized to the factor with an antialiased bicubic filter, so the effect's ``factor`` always decides
the size, as it does for the built-in lanczos upscale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from fp_timeline.engine.generator import CancelToken
from fp_timeline.engine.media import VideoInfo
from fp_timeline.engine.postfx.processor import StageInput, scaled_size
from fp_timeline.project.effects import PostEffect
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline_plugins.upscalers.weights import Upscaler, WeightsError, load_upscaler

TILE_PAD = 16  # context pixels around each tile, cropped after: no seams


class LearnedUpscaler:
    id = "esrgan"
    version = "1"

    def shape(self, effect: PostEffect, info: VideoInfo) -> VideoInfo:
        width, height = scaled_size(info, effect.settings["factor"])
        return replace(info, width=width, height=height)

    def process(self, stage: StageInput, cancel: CancelToken) -> Iterator[np.ndarray]:
        upscaler = _cached_upscaler(stage)
        out = self.shape(stage.effect, stage.info)
        tile = stage.effect.settings["tile"]
        device = "cuda" if torch.cuda.is_available() else "cpu"
        model = upscaler.model.to(device)
        for frame in stage.frames(cancel):
            with torch.inference_mode():
                x = torch.from_numpy(frame).to(device).permute(2, 0, 1)[None].float() / 255
                y = upscale_tiled(model, x, upscaler.scale, tile) if tile else model(x)
                if y.shape[-2:] != (out.height, out.width):
                    y = F.interpolate(y, size=(out.height, out.width), mode="bicubic", antialias=True)
                rgb = (y[0].clamp(0, 1) * 255).round().byte().permute(1, 2, 0)
            yield rgb.cpu().numpy()


def upscale_tiled(model: torch.nn.Module, x: torch.Tensor, scale: float, tile: int) -> torch.Tensor:
    """``model(x)`` tile by tile (each with ``TILE_PAD`` pixels of context), for frames too big at once."""
    _, channels, height, width = x.shape
    s = int(scale)
    out = x.new_zeros((1, channels, height * s, width * s))
    for top in range(0, height, tile):
        for left in range(0, width, tile):
            bottom, right = min(top + tile, height), min(left + tile, width)
            t0, l0 = max(top - TILE_PAD, 0), max(left - TILE_PAD, 0)
            t1, l1 = min(bottom + TILE_PAD, height), min(right + TILE_PAD, width)
            y = model(x[:, :, t0:t1, l0:l1])
            crop = y[:, :, (top - t0) * s : (bottom - t0) * s, (left - l0) * s : (right - l0) * s]
            out[:, :, top * s : bottom * s, left * s : right * s] = crop
    return out


def _cached_upscaler(stage: StageInput) -> Upscaler:
    assert stage.model is not None  # the engine resolves the weights file before a stage runs
    try:
        stat = stage.model.stat()
        return _load(str(stage.model), stat.st_mtime_ns, stat.st_size)
    except WeightsError as err:
        raise ProjectError(Problem(str(err), clip=stage.clip, field="upscale.model")) from None


@lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int, size: int) -> Upscaler:
    return load_upscaler(Path(path))
