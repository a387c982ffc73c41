"""``Wan21I2VGenerator``: Wan 2.1 image-to-video as a clip generator (``fp_timeline.generators: wan21_i2v``).

Short clips (at most 81 frames at 16 fps).  A carried Wan clip starts from the last frame of the clip
before it, whatever made it; a following F1 ``carry`` clip continues a Wan clip from its take's last
frames (F1 encodes them, as it does an imported video).  Validation needs no torch.
"""

from __future__ import annotations

import hashlib
import os
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
)
from fp_timeline.project.atomic import write_bytes_atomic
from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import Recipe

from .config import MAX_FRAMES, NATIVE_FPS, OPTIONS_SCHEMA, PARAMS_SCHEMA, PIXEL_MULTIPLE, snapped_frames

PRESET_ENV = "FP_TIMELINE_WAN_PRESET"


class Wan21I2VGenerator:
    id = "wan21_i2v"
    version = "1"
    label = "Wan 2.1 image-to-video"
    native_fps = NATIVE_FPS
    params_schema = PARAMS_SCHEMA
    options_schema = OPTIONS_SCHEMA
    accepts_contexts = ("wan21_i2v", VIDEO_CONTEXT)

    def __init__(self, preset: str | None = None) -> None:
        self.preset = preset
        self._pipelines: dict[tuple, Any] = {}

    # ------------------------------------------------------------------ no torch needed
    def validate(self, recipe: Recipe) -> list[Problem]:
        problems = []
        if recipe.fps != NATIVE_FPS:
            problems.append(Problem(f"Wan 2.1 generates at {NATIVE_FPS:g} fps, got {recipe.fps:g}", field="fps"))
        if recipe.frames > MAX_FRAMES:
            problems.append(
                Problem(
                    f"Wan 2.1 makes at most {MAX_FRAMES} frames ({MAX_FRAMES / NATIVE_FPS:.1f} s at "
                    f"{NATIVE_FPS:g} fps), got {recipe.frames}; split the shot: a carried clip continues "
                    "from the last frame",
                    field="frames",
                )
            )
        elif snapped_frames(recipe.frames) != recipe.frames:
            problems.append(
                Problem(
                    f"Wan 2.1 makes 4k+1 frames; {recipe.frames} is not, nearest is {snapped_frames(recipe.frames)}",
                    field="frames",
                )
            )
        for name in ("width", "height"):
            if getattr(recipe, name) % PIXEL_MULTIPLE:
                problems.append(Problem(f"{name} must be a multiple of {PIXEL_MULTIPLE}", field=name))
        return problems

    def snap_frames(self, frames: int, carried: bool, recipe: Recipe | None = None) -> int:
        return snapped_frames(frames)

    def runtime_identity(self, options: dict[str, Any]):
        from fp_timeline.engine.generator import RuntimeIdentity

        preset = self._preset(options)
        checkpoint = options.get("checkpoint") or "480p"
        model = f"wan2.1-i2v-{checkpoint}" if preset == "real" else "tiny"
        dtype = options.get("dtype") or ("default-cuda" if preset == "real" else "float32")
        return RuntimeIdentity(label=f"the Wan 2.1 {model} model", fields={"model": model, "dtype": str(dtype)})

    # ------------------------------------------------------------------ models
    def _preset(self, options: dict[str, Any]) -> str:
        preset = options.get("preset") or self.preset or os.environ.get(PRESET_ENV) or "tiny"
        if preset == "auto":
            from .real import cached_checkpoint

            return "real" if cached_checkpoint(options.get("checkpoint") or "480p") else "tiny"
        if preset not in ("tiny", "real"):
            raise ValueError(f"unknown Wan 2.1 preset {preset!r}; choose one of auto, tiny, real")
        return preset

    def pipeline(self, options: dict[str, Any]) -> Any:
        import torch

        preset = self._preset(options)
        device = torch.device(options.get("device") or ("cuda" if torch.cuda.is_available() else "cpu"))
        dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
        checkpoint = options.get("checkpoint") or "480p"
        key = (preset, checkpoint, str(device), str(dtype))
        if key not in self._pipelines:
            self.release()  # one Wan pipeline at a time
            if preset == "tiny":
                from .tiny import build_tiny_pipeline

                self._pipelines[key] = build_tiny_pipeline(device, dtype)
            else:
                from .real import load_real_pipeline

                self._pipelines[key] = load_real_pipeline(checkpoint, device, dtype)
        return self._pipelines[key]

    def release(self) -> None:
        if not self._pipelines:
            return
        self._pipelines.clear()
        import gc

        gc.collect()

    # ------------------------------------------------------------------ render
    def render(self, job: RenderJob, out: FrameSink, progress: ProgressCallback, cancel: CancelToken) -> ContextBlob:
        import torch

        recipe = job.recipe
        cancel.raise_if_cancelled()
        progress(Progress(job.clip, "load", 0, 0, message="loading Wan 2.1"))
        pipe = self.pipeline(job.options)
        start = _start_image(job)
        params = {s.name: s.default for s in PARAMS_SCHEMA} | dict(recipe.params)
        if params["shift"] is not None:
            pipe.scheduler = type(pipe.scheduler).from_config(pipe.scheduler.config, shift=float(params["shift"]))
        steps = int(params["steps"])

        def on_step(_pipe, index: int, _timestep, kwargs: dict) -> dict:
            cancel.raise_if_cancelled()
            progress(Progress(job.clip, "sample", index + 1, steps, message=f"step {index + 1}/{steps}"))
            return kwargs

        result = pipe(
            image=start,
            prompt=recipe.prompt,
            negative_prompt=params["negative_prompt"] or None,
            height=recipe.height,
            width=recipe.width,
            num_frames=recipe.frames,
            num_inference_steps=steps,
            guidance_scale=float(params["guidance_scale"]),
            generator=torch.Generator("cpu").manual_seed(recipe.seed),
            output_type="np",
            callback_on_step_end=on_step,
        )
        frames = np.clip(np.asarray(result.frames[0]) * 255.0 + 0.5, 0, 255).astype(np.uint8)
        for frame in frames[out.frames_written :]:  # a sink that survived a kill already holds some
            out.write(frame)
        _save_last_frame(job.context_path, frames[-1], job.recipe_hash)
        return ContextBlob(job.context_path, job.recipe_hash, metadata={"generator": self.id})

    def context_from_frames(
        self, frames: np.ndarray, recipe: Recipe, context_path: Path, options: dict[str, Any]
    ) -> ContextBlob:
        """Continue a video made elsewhere: its last frame is the next clip's start image."""
        _save_last_frame(context_path, np.asarray(frames[-1], dtype=np.uint8), "video")
        digest = hashlib.sha256(np.ascontiguousarray(frames[-1]).tobytes()).hexdigest()
        return ContextBlob(context_path, f"video:{digest}", metadata={"generator": self.id})


def _start_image(job: RenderJob) -> Image.Image:
    size = (job.recipe.width, job.recipe.height)
    if job.image_path is not None:
        with Image.open(job.image_path) as image:
            return image.convert("RGB").resize(size, Image.LANCZOS)
    if job.incoming is None:
        raise ValueError(f"clip {job.clip!r}: no start image and no incoming context")
    with safe_open(str(job.incoming.path), framework="numpy") as f:
        if (f.metadata() or {}).get("generator") != "wan21_i2v":
            raise ValueError(f"{job.incoming.path}: not a Wan 2.1 context")
        last = f.get_tensor("last_frame")
    return Image.fromarray(last).resize(size, Image.LANCZOS)


def _save_last_frame(path: Path, frame: np.ndarray, recipe_hash: str) -> None:
    data = save_safetensors(
        {"last_frame": np.ascontiguousarray(frame, dtype=np.uint8)},
        metadata={"generator": "wan21_i2v", "recipe_hash": recipe_hash},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)
