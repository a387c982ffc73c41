"""``FramePackBridgeGenerator`` (``fp_timeline.generators: framepack_bridge``): a clip that lands on a frame.

A *bridge* (a carried clip without a start image or ``params.end_image``) starts on the previous take's
last frame and ends on the next take's first frame: it declares both neighbour ``Dependency``s, so the
engine renders the neighbours first, hands it their frames and makes it stale when either changes.
*Keyframes* (a fresh clip with a start image and ``params.end_image``) needs no neighbour.  Validation
needs no torch; models load on the first ``render``.  Runtime options are F1's (see its generator).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from safetensors.numpy import save as save_safetensors

from fp_timeline.engine.generator import (
    CancelToken,
    ContextBlob,
    Dependency,
    FrameSink,
    MediaInput,
    Progress,
    ProgressCallback,
    RenderJob,
    RuntimeIdentity,
)
from fp_timeline.project.atomic import write_bytes_atomic
from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import F1_NATIVE_FPS, Recipe
from fp_timeline_plugins.framepack_f1.generator import (
    MAX_F1_SIDE,
    PRESET_LABELS,
    PRESET_NOTICES,
    release_stacks,
    section_frames,
    sections_for,
    snapped_frames,
)

from .config import END_IMAGE, OPTIONS_SCHEMA, PARAMS_SCHEMA, neighbour_needs, sampling_config

if TYPE_CHECKING:
    from fp_timeline_plugins.framepack_f1.components import Components

SAMPLING = "inverted_anti_drifting"
BOTH_ENDS = "a bridge starts on its own start image (fresh) or on the previous clip's last frame (carry, no image)"


class FramePackBridgeGenerator:
    """The original FramePack (inverted anti-drifting), pinned to a start and an end frame."""

    id = "framepack_bridge"
    version = "1"
    label = "FramePack bridge (first/last frame)"
    native_fps = F1_NATIVE_FPS
    params_schema = PARAMS_SCHEMA
    options_schema = OPTIONS_SCHEMA
    accepts_contexts = ()  # it continues no context: it takes frames (``dependencies``)
    inputs = (
        MediaInput(f"params.{END_IMAGE}", "image", "the clip's last frame (keyframes)"),
        MediaInput("params.loras[].path", "lora", "LoRA weights (safetensors), applied for this clip only"),
    )

    def __init__(self, preset: str | None = None) -> None:
        self.preset = preset
        self._components: dict[tuple, Any] = {}

    # ------------------------------------------------------------------ no torch needed
    def dependencies(self, recipe: Recipe) -> set[Dependency]:
        return neighbour_needs(recipe)

    def validate(self, recipe: Recipe) -> list[Problem]:
        try:
            window = sampling_config(recipe.params).latent_window_size
        except ValueError as err:
            return [Problem(str(err), field="params")]
        problems = []
        if recipe.fps != F1_NATIVE_FPS:
            problems.append(Problem(f"FramePack generates at {F1_NATIVE_FPS:g} fps, got {recipe.fps:g}", field="fps"))
        for name, side in (("width", recipe.width), ("height", recipe.height)):
            if side > MAX_F1_SIDE:
                problems.append(Problem(f"FramePack renders at most {MAX_F1_SIDE} px a side, got {side}", field=name))
        if recipe.carries and recipe.image is not None:
            problems.append(Problem(f"{BOTH_ENDS}, not both", field="image"))
        snapped = self.snap_frames(recipe.frames, recipe.carries, recipe)
        if snapped != recipe.frames:
            message = f"{recipe.frames} frames is not 1 + whole sections of {section_frames(window)} frames"
            problems.append(Problem(f"{message} (latent window {window}); nearest is {snapped}", field="frames"))
        return problems

    def snap_frames(self, frames: int, carried: bool, recipe: Recipe | None = None) -> int:
        """1 + whole sections: the clip holds both its anchors' frames, carried or not."""
        try:
            window = sampling_config(recipe.params if recipe is not None else {}).latent_window_size
        except ValueError:
            window = sampling_config({}).latent_window_size
        return snapped_frames(frames, False, window)

    def runtime_identity(self, options: dict[str, Any]) -> RuntimeIdentity:
        """Preset, model and dtype (the bridge's sampling enters through its id and version)."""
        from fp_timeline_plugins.framepack_f1.presets import resolve_device, resolve_dtype

        from .presets import model_id, resolve_preset

        preset = resolve_preset(options, self.preset)
        dtype = str(resolve_dtype(options, resolve_device(options))).removeprefix("torch.")
        fields = {"preset": preset, "model": model_id(preset), "dtype": dtype, "sampling": SAMPLING}
        return RuntimeIdentity(label=f"the bridge's {PRESET_LABELS[preset]} ({dtype})", fields=fields)

    # ------------------------------------------------------------------ models
    def components(self, options: dict[str, Any], cache_dir: Path | None = None) -> Components:
        """The model stack for these options, loaded once per generator instance."""
        from fp_timeline_plugins.framepack_f1.embed_store import EmbeddingStore
        from fp_timeline_plugins.framepack_f1.presets import resolve_device, resolve_dtype, resolve_placement

        from .presets import load_bridge_components, resolve_preset

        preset, device = resolve_preset(options, self.preset), resolve_device(options)
        placement = resolve_placement(options)
        dtype = resolve_dtype(options, device)
        key = (preset, str(device), str(dtype), *placement.values())
        if key not in self._components:
            self.release()  # one stack at a time
            self._components[key] = load_bridge_components(preset, device, dtype, cache_dir, **placement)
        components = self._components[key]
        components.embed_store = EmbeddingStore.in_cache(cache_dir)
        return components

    def release(self) -> None:
        """Free every loaded model stack (the engine switches generators or runs short of memory)."""
        release_stacks(self._components)

    # ------------------------------------------------------------------ render
    def render(self, job: RenderJob, out: FrameSink, progress: ProgressCallback, cancel: CancelToken) -> ContextBlob:
        """Render the clip into ``out``; its LoRAs are applied for this clip only."""
        from fp_timeline_plugins.framepack_f1.encoders import encode_prompts
        from fp_timeline_plugins.framepack_f1.generator import use_threads
        from fp_timeline_plugins.framepack_f1.lora import clip_loras, loras_of

        from .render import render_bridge

        cancel.raise_if_cancelled()
        progress(Progress(job.clip, "load", 0, 0, message="loading models"))
        components = self.components(job.options, job.cache_dir)
        use_threads(components, job.options)
        if components.preset in PRESET_NOTICES:
            progress(Progress(job.clip, "load", 0, 0, message=PRESET_NOTICES[components.preset]))
        config = sampling_config(job.recipe.params)
        sections = sections_for(job.recipe.frames, False, config.latent_window_size)
        loras = loras_of(job.recipe.params, job.media)
        if loras:  # encode first: an exclusive memory plan reloads the transformer (without the LoRA) after text
            negative = [config.negative_prompt] if config.guidance_scale != 1.0 else []
            encode_prompts(components, [job.recipe.prompt, *negative])
        with clip_loras(components.get_transformer(), loras):
            last = render_bridge(job, components, config, sections, out, progress, cancel)
        _save_last_frame(job.context_path, last, job.recipe_hash)
        return ContextBlob(job.context_path, job.recipe_hash, metadata={"generator": self.id})


def _save_last_frame(path: Path, frame: np.ndarray, recipe_hash: str) -> None:
    """The outgoing "context": only the last frame (a clip after a bridge continues it from its video)."""
    data = save_safetensors(
        {"last_frame": np.ascontiguousarray(frame, dtype=np.uint8)},
        metadata={"generator": FramePackBridgeGenerator.id, "recipe_hash": recipe_hash},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)
