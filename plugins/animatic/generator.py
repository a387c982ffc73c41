"""The animatic generator: a slow Ken Burns move over the start image, seeded, in numpy.

It follows the same protocol as FramePack F1 (carry, contexts, takes), so a cut can be laid out and
conformed before anything is generated for real, and the GUI and engine tests render with it.

Motion is a pure function of the frame number since the move began (exponential zoom, linear pan),
and the context stores where the move began plus how many frames were made.  So a carried clip in
``noise: continue`` mode continues the very same move: a chain renders bit-identical frames to one
long clip, in one process or from the saved context in another.  ``noise: own`` starts a new move
(direction from the clip's own seed) from where the upstream clip ended.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from safetensors import safe_open
from safetensors.numpy import save as save_safetensors

from fp_timeline.engine.generator import (
    VIDEO_CONTEXT,
    CancelToken,
    ContextBlob,
    FrameSink,
    Progress,
    ProgressCallback,
    RenderJob,
    RuntimeIdentity,
    TakeSplit,
)
from fp_timeline.engine.schema import Setting
from fp_timeline.project.atomic import write_bytes_atomic
from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import NoiseMode, Recipe

ZOOM_PER_SECOND = 0.04  # gentle: about 4% closer each second
PAN_PER_SECOND = 0.03  # fraction of the frame
HEADROOM = 1.5  # the source is scaled to 1.5x the output so zoom and pan never run out of pixels
PARAMS = ("zoom_per_second", "pan_per_second")


@dataclass(frozen=True)
class Move:
    """Where a move began and how it goes; frame n of the move is a pure function of this."""

    image: Path
    fps: float
    zoom0: float
    centre0: tuple[float, float]
    angle: float
    zoom_rate: float
    pan_rate: float
    elapsed: int = 0  # frames of this move already made (by upstream clips)

    def at(self, n: int) -> tuple[float, np.ndarray]:
        """Zoom and (unclipped) centre at frame ``n`` of the move."""
        t = n / self.fps
        zoom = self.zoom0 * (1 + self.zoom_rate) ** t
        direction = np.array([math.cos(self.angle), math.sin(self.angle)])
        return zoom, np.array(self.centre0) + direction * self.pan_rate * t


class AnimaticGenerator:
    id = "animatic"
    version = "2"
    label = "Animatic (Ken Burns previs)"
    params_schema = (
        Setting("zoom_per_second", "float", ZOOM_PER_SECOND, "zoom in per second (0.04: 4%)", -1, 1),
        Setting("pan_per_second", "float", PAN_PER_SECOND, "pan per second, as a fraction of the frame", 0, 2),
    )
    options_schema = ()
    accepts_contexts = ("animatic", VIDEO_CONTEXT)  # a video made elsewhere: its last frame starts a move

    def validate(self, recipe: Recipe) -> list[Problem]:
        unknown = sorted(set(recipe.params) - set(PARAMS))
        return [Problem(f"unknown animatic parameter {k!r}", field=f"params.{k}") for k in unknown]

    def snap_frames(self, frames: int, carried: bool, recipe: Recipe | None = None) -> int:
        return max(1, frames)

    def runtime_identity(self, options: dict[str, Any]) -> RuntimeIdentity:
        """No weights and no options: the recipe alone decides the frames (no fields, so hashes stay as they were)."""
        return RuntimeIdentity(label="the animatic generator")

    def render(self, job: RenderJob, out: FrameSink, progress: ProgressCallback, cancel: CancelToken) -> ContextBlob:
        recipe = job.recipe
        upstream = _read_context(job.incoming.path) if job.incoming is not None else None
        move = _move_for(job, upstream)
        image = _load(move.image, recipe.width, recipe.height)
        for i in range(recipe.frames):
            cancel.raise_if_cancelled()
            zoom, centre = move.at(move.elapsed + i)
            out.write(_crop(image, centre, zoom, recipe.width, recipe.height))
            progress(Progress(job.clip, "render", i + 1, recipe.frames))
        _write_context(job.context_path, replace(move, elapsed=move.elapsed + recipe.frames), job.recipe_hash)
        return ContextBlob(path=job.context_path, hash=job.recipe_hash, metadata={"generator": self.id})

    def split_take(
        self,
        source: TakeSplit,
        first: RenderJob,
        second: RenderJob,
        out_first: FrameSink,
        out_second: FrameSink,
        cancel: CancelToken,
    ) -> tuple[ContextBlob, ContextBlob]:
        """The move is a pure function of the frame number: the halves are rendered again (no model)."""
        blob = self.render(first, out_first, _quiet, cancel)
        return blob, self.render(replace(second, incoming=blob), out_second, _quiet, cancel)

    def context_from_frames(
        self, frames: np.ndarray, recipe: Recipe, context_path: Path, options: dict[str, Any]
    ) -> ContextBlob:
        """Start a move from the last frame of a video made elsewhere (extend an imported mp4)."""
        still = context_path.with_name(context_path.name.split(".")[0] + ".anchor.png")
        still.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.asarray(frames[-1], dtype=np.uint8)).save(still)
        # zoom0 = 1/HEADROOM shows the whole still, as the video's last frame showed it.
        move = Move(still, recipe.fps, 1 / HEADROOM, (0.5, 0.5), 0.0, 0.0, 0.0)
        _write_context(context_path, move, "imported")
        return ContextBlob(path=context_path, hash="imported", metadata={"generator": self.id})


def _quiet(_: Progress) -> None:
    pass


def _move_for(job: RenderJob, upstream: Move | None) -> Move:
    recipe = job.recipe
    rng = random.Random(recipe.seed)
    angle = rng.uniform(0, 2 * math.pi)
    zoom_rate = float(recipe.params.get("zoom_per_second", ZOOM_PER_SECOND))
    pan_rate = float(recipe.params.get("pan_per_second", PAN_PER_SECOND))
    if job.image_path is not None:
        return Move(Path(job.image_path), recipe.fps, 1.0, (0.5, 0.5), angle, zoom_rate, pan_rate)
    if upstream is None:
        raise ValueError(f"clip {job.clip!r}: no start image and no incoming context")
    if recipe.noise is NoiseMode.CONTINUE and upstream.fps == recipe.fps:
        return upstream  # the same move, continued: frame-exact with one long clip
    zoom, centre = upstream.at(upstream.elapsed)
    return Move(upstream.image, recipe.fps, zoom, (float(centre[0]), float(centre[1])), angle, zoom_rate, pan_rate)


def _write_context(path: Path, move: Move, recipe_hash: str) -> None:
    try:  # relative to the context file, so a moved project folder keeps working
        image = Path(os.path.relpath(move.image.resolve(), path.parent.resolve())).as_posix()
    except ValueError:
        image = move.image.resolve().as_posix()
    motion = np.array(
        [move.fps, move.zoom0, *move.centre0, move.angle, move.zoom_rate, move.pan_rate], dtype=np.float64
    )
    data = save_safetensors(
        {"motion": motion, "elapsed": np.array([move.elapsed], dtype=np.int64)},
        metadata={"generator": "animatic", "image": image, "recipe_hash": recipe_hash},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)


def _read_context(path: Path) -> Move:
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata() or {}
        if meta.get("generator") != "animatic":
            raise ValueError(f"{path}: not an animatic context (made by {meta.get('generator')!r})")
        motion = f.get_tensor("motion").tolist()
        elapsed = int(f.get_tensor("elapsed")[0])
    fps, zoom0, cx, cy, angle, zoom_rate, pan_rate = motion
    image = Path(meta["image"])
    if not image.is_absolute():
        image = (Path(path).parent / image).resolve()
    return Move(image, fps, zoom0, (cx, cy), angle, zoom_rate, pan_rate, elapsed)


def _load(path: Path, width: int, height: int) -> np.ndarray:
    """The image scaled to cover width x height with headroom, as uint8 RGB."""
    with Image.open(path) as img:
        img = img.convert("RGB")
        scale = max(width / img.width, height / img.height) * HEADROOM
        img = img.resize((max(width, round(img.width * scale)), max(height, round(img.height * scale))))
        return np.asarray(img, dtype=np.uint8)


def _crop(image: np.ndarray, centre: np.ndarray, zoom: float, width: int, height: int) -> np.ndarray:
    h, w = image.shape[:2]
    # A window of the output's aspect ratio covering 1/zoom of the (cover-scaled) source.
    win_w = max(1, min(w, round(w / HEADROOM / zoom)))
    win_h = max(1, min(h, round(win_w * height / width)))
    x0 = int(np.clip(round(centre[0] * w - win_w / 2), 0, w - win_w))
    y0 = int(np.clip(round(centre[1] * h - win_h / 2), 0, h - win_h))
    window = Image.fromarray(image[y0 : y0 + win_h, x0 : x0 + win_w])
    return np.asarray(window.resize((width, height), Image.BILINEAR), dtype=np.uint8)
