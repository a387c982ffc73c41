"""The animatic generator: a slow Ken Burns move over the start image, seeded, in numpy.

It follows the same protocol as FramePack F1 (carry, contexts, takes), so a cut can be laid out and
conformed before anything is generated for real, and the GUI tests render with it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from PIL import Image

from fp_timeline.engine.generator import (
    CancelToken,
    ContextBlob,
    FrameSink,
    Progress,
    ProgressCallback,
    RenderJob,
)
from fp_timeline.project.atomic import write_bytes_atomic
from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import Recipe

ZOOM_PER_SECOND = 0.04  # gentle: about 4% closer each second
PAN_PER_SECOND = 0.03  # fraction of the frame


class AnimaticGenerator:
    id = "animatic"
    version = "1"

    def validate(self, recipe: Recipe) -> list[Problem]:
        unknown = sorted(set(recipe.params) - {"zoom_per_second", "pan_per_second"})
        return [Problem(f"unknown animatic parameter {k!r}", field=f"params.{k}") for k in unknown]

    def snap_frames(self, frames: int, carried: bool) -> int:
        return max(1, frames)

    def render(
        self, job: RenderJob, out: FrameSink, progress: ProgressCallback, cancel: CancelToken
    ) -> ContextBlob:
        recipe = job.recipe
        state = _read_context(job.incoming.path) if job.incoming is not None else None
        if job.image_path is not None:
            image = _load(job.image_path, recipe.width, recipe.height)
            start_zoom = 1.0
        elif state is not None:
            image = _load(Path(state["image"]), recipe.width, recipe.height)
            start_zoom = float(state["zoom"])
        else:
            raise ValueError(f"clip {job.clip!r}: no start image and no incoming context")
        rng = random.Random(recipe.seed)
        angle = rng.uniform(0, 2 * np.pi)
        zoom_rate = float(recipe.params.get("zoom_per_second", ZOOM_PER_SECOND))
        pan_rate = float(recipe.params.get("pan_per_second", PAN_PER_SECOND))
        centre = np.array(state["centre"] if state else (0.5, 0.5), dtype=np.float64)
        direction = np.array([np.cos(angle), np.sin(angle)])
        zoom = start_zoom
        for i in range(recipe.frames):
            cancel.raise_if_cancelled()
            t = i / recipe.fps
            zoom = start_zoom * (1 + zoom_rate * t)
            c = np.clip(centre + direction * pan_rate * t, 0.5 / zoom, 1 - 0.5 / zoom)
            out.write(_crop(image, c, zoom, recipe.width, recipe.height))
            progress(Progress(job.clip, "render", i + 1, recipe.frames))
        end = {
            "image": str(job.image_path or state["image"]),
            "zoom": zoom,
            "centre": [float(v) for v in np.clip(centre + direction * pan_rate * recipe.frames / recipe.fps, 0, 1)],
        }
        write_bytes_atomic(job.context_path, json.dumps(end).encode())
        return ContextBlob(path=job.context_path, hash=job.recipe_hash, metadata={"generator": self.id})


def _read_context(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def _load(path: Path, width: int, height: int) -> np.ndarray:
    """The image scaled to cover width x height (centre crop), as float RGB."""
    with Image.open(path) as img:
        img = img.convert("RGB")
        scale = max(width / img.width, height / img.height) * 1.5  # headroom for zoom and pan
        img = img.resize((max(width, round(img.width * scale)), max(height, round(img.height * scale))))
        return np.asarray(img, dtype=np.uint8)


def _crop(image: np.ndarray, centre: np.ndarray, zoom: float, width: int, height: int) -> np.ndarray:
    h, w = image.shape[:2]
    # A window of the output's aspect ratio covering 1/zoom of the (cover-scaled) source.
    win_w = min(w, round(w / 1.5 / zoom))
    win_h = min(h, round(win_w * height / width))
    x0 = int(np.clip(round(centre[0] * w - win_w / 2), 0, w - win_w))
    y0 = int(np.clip(round(centre[1] * h - win_h / 2), 0, h - win_h))
    window = Image.fromarray(image[y0 : y0 + win_h, x0 : x0 + win_w])
    return np.asarray(window.resize((width, height), Image.BILINEAR), dtype=np.uint8)
