"""``FramePackF1Generator``: the engine's entry point (``fp_timeline.generators: framepack_f1``).

Validation and frame snapping need no torch; the models load lazily on the first ``render``.
Runtime ``job.options`` (see README.md):

- ``preset``: "tiny" | "toy" | "real" | "auto" (real if cached, else toy); default the constructor's, else
  $FP_TIMELINE_F1_PRESET, else "tiny"
- ``device``: "cpu" | "cuda" | ...; default the best available
- ``dtype``: default bf16 on CUDA, float32 on CPU
- ``offload``: the memory plan, "auto" (default: chosen from free VRAM and host RAM) | "gpu" | "group" |
  "disk" | "mmap" (see ``memory_plan.py``; "none", "model", "sequential" are old names)
- ``threads``: CPU threads, default the cores less one (at most 16, at least 1), never the load
- ``attention``: diffusers attention backend, "native" (SDPA, default), "flash", "_flash_3", "sage", ...
- ``compile`` (bool): regional ``torch.compile`` of the transformer blocks (CUDA, ``gpu`` plan only)
- ``vae_tiling`` (bool), ``free_text_encoders`` (bool, default True)
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fp_timeline.engine.generator import (
    VIDEO_CONTEXT,
    CancelToken,
    ContextBlob,
    FrameSink,
    MediaInput,
    Progress,
    ProgressCallback,
    RenderJob,
    RuntimeIdentity,
    TakeSplit,
)
from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import F1_NATIVE_FPS, NoiseMode, Recipe

from .config import OPTIONS_SCHEMA, PARAMS_SCHEMA, FramePackF1Config, check_params

if TYPE_CHECKING:  # torch-heavy modules load lazily, on the first render
    from .components import Components
    from .context import PackedContext
    from .session import ChainRenderer

FRAMES_PER_LATENT = 4
MAX_F1_SIDE = 2048  # HunyuanVideo trained at <= 720p; beyond this memory, not quality, grows
PRESET_NOTICES = {
    "tiny": (
        "tiny preset: small random-weight models (tests), not FramePack; put the real weights in the "
        "Hugging Face cache for preset real/auto"
    ),
    "toy": (
        "toy preset: a small model trained on synthetic pans, zooms and a bouncing ball (CPU demo), not "
        "FramePack; put the real weights in the Hugging Face cache for preset real/auto"
    ),
}
TINY_NOTICE = PRESET_NOTICES["tiny"]
PRESET_LABELS = {"tiny": "tiny preset", "toy": "toy model", "real": "real model"}


def section_frames(latent_window_size: int) -> int:
    """Net frames one section adds: 4 per latent frame."""
    return FRAMES_PER_LATENT * latent_window_size


def frames_for(sections: int, carried: bool, latent_window_size: int) -> int:
    """A fresh clip has its start frame plus whole sections; a carried clip only whole sections."""
    return sections * section_frames(latent_window_size) + (0 if carried else 1)


def sections_for(frames: int, carried: bool, latent_window_size: int) -> int:
    """The nearest whole number of sections (at least one) for ``frames``."""
    return max(1, round((frames - (0 if carried else 1)) / section_frames(latent_window_size)))


def snapped_frames(frames: int, carried: bool, latent_window_size: int) -> int:
    """The frame count of whole sections nearest to ``frames``."""
    return frames_for(sections_for(frames, carried, latent_window_size), carried, latent_window_size)


class FramePackF1Generator:
    """FramePack F1 image-to-video, continued across cuts through ``PackedContext`` files."""

    id = "framepack_f1"
    version = "1"
    label = "FramePack F1"
    native_fps = F1_NATIVE_FPS
    params_schema = PARAMS_SCHEMA
    options_schema = OPTIONS_SCHEMA
    accepts_contexts = ("framepack_f1", VIDEO_CONTEXT)  # any other generator's video is encoded
    inputs = (MediaInput("params.loras[].path", "lora", "LoRA weights (safetensors), applied for this clip only"),)

    def __init__(self, preset: str | None = None) -> None:
        self.preset = preset
        self._components: dict[tuple, Any] = {}  # loaded stacks, by (preset, device, dtype, tiling, offload)

    # ------------------------------------------------------------------ no torch needed
    def validate(self, recipe: Recipe) -> list[Problem]:
        problems = [Problem(message, field=f"params.{name}") for name, message in check_params(recipe.params)]
        if recipe.fps != F1_NATIVE_FPS:
            problems.append(Problem(f"FramePack F1 generates at {F1_NATIVE_FPS} fps, got {recipe.fps}", field="fps"))
        for name, side in (("width", recipe.width), ("height", recipe.height)):
            if side > MAX_F1_SIDE:
                message = f"FramePack F1 renders at most {MAX_F1_SIDE} px a side, got {side}"
                problems.append(Problem(message, field=name))
        if problems:
            return problems
        window = FramePackF1Config.from_params(recipe.params).latent_window_size
        snapped = snapped_frames(recipe.frames, recipe.carries, window)
        if snapped != recipe.frames:
            problems.append(
                Problem(
                    f"{recipe.frames} frames is not whole F1 sections of {section_frames(window)} frames "
                    f"(latent window {window}); nearest is {snapped}",
                    field="frames",
                )
            )
        return problems

    def snap_frames(self, frames: int, carried: bool, recipe: Recipe | None = None) -> int:
        """Whole sections of the recipe's latent window (the default window without a recipe)."""
        try:
            config = FramePackF1Config.from_params(recipe.params) if recipe is not None else FramePackF1Config()
        except ValueError:  # bad params are reported by ``validate``; snap with the default meanwhile
            config = FramePackF1Config()
        return snapped_frames(frames, carried, config.latent_window_size)

    def size_for_image(self, width: int, height: int) -> tuple[int, int]:
        """The FramePack resolution bucket nearest the image's aspect, as (width, height)."""
        from .buckets import nearest_bucket

        bucket_height, bucket_width = nearest_bucket(height, width)
        return bucket_width, bucket_height

    def runtime_identity(self, options: dict[str, Any]) -> RuntimeIdentity:
        """Preset, model and dtype: what decides the pixels besides the recipe.

        The device counts only through the dtype it implies (bf16 on CUDA, float32 on CPU): moving the
        same model and dtype to another GPU does not make every take stale.  Loads no model.
        """
        from .presets import resolve_device, resolve_dtype, resolve_preset

        preset = resolve_preset(options, self.preset)
        dtype = str(resolve_dtype(options, resolve_device(options))).removeprefix("torch.")
        if preset == "tiny":
            from .tiny import TINY_MODEL_ID as model_id
        elif preset == "toy":
            from .toy import toy_model_id

            model_id = toy_model_id()  # names the shipped weights' content
        else:
            from .real import REAL_MODEL_ID as model_id
        label = f"the {PRESET_LABELS[preset]} ({dtype})"
        return RuntimeIdentity(label=label, fields={"preset": preset, "model": model_id, "dtype": dtype})

    # ------------------------------------------------------------------ models
    def components(self, options: dict[str, Any], cache_dir: Path | None = None) -> Components:
        """The model stack for these options, loaded once per generator instance.

        ``cache_dir`` (the project's cache folder) holds the disk plan's per-block files."""
        from .embed_store import EmbeddingStore
        from .presets import load_components, resolve_device, resolve_dtype, resolve_placement, resolve_preset

        preset = resolve_preset(options, self.preset)
        device = resolve_device(options)
        dtype = resolve_dtype(options, device)
        placement = resolve_placement(options)
        key = (preset, str(device), str(dtype), *placement.values())
        if key not in self._components:
            self._components[key] = load_components(preset, device, dtype, offload_root=cache_dir, **placement)
        components = self._components[key]
        components.embed_store = EmbeddingStore.in_cache(cache_dir)
        return components

    def prepare(
        self,
        recipes: list[Recipe],
        options: dict[str, Any],
        cache_dir: Path | None,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> None:
        """Before a render's first clip: encode all its prompts not cached yet in one text-encoder session,
        so the text encoders are loaded at most once per render (and never when all are cached)."""
        from .encoders import encode_prompts, prompt_is_cached

        cancel.raise_if_cancelled()
        components = self.components(options, cache_dir)
        todo = [p for p in _prompts_of(recipes) if not prompt_is_cached(components, p)]
        if todo:
            progress(
                Progress(
                    "render", "encode", 0, 0, message=f"encoding {len(todo)} prompt(s) in one text-encoder session"
                )
            )
            encode_prompts(components, todo)

    def release(self) -> None:
        """Free every loaded model stack (the engine switches generators or runs short of memory)."""
        release_stacks(self._components)

    def explain(self, options: dict[str, Any]) -> str:
        """The memory plan a render with these options would use, and why (loads no model)."""
        from .explain import explain_plan

        return explain_plan(options, self.preset)

    # ------------------------------------------------------------------ render
    def render(self, job: RenderJob, out: FrameSink, progress: ProgressCallback, cancel: CancelToken) -> ContextBlob:
        """Render one clip into ``out`` and save its outgoing context; resumes from ``job.work_dir``.

        The clip's LoRAs are loaded into the transformer for this clip only and unloaded after it.
        """
        from .lora import clip_loras, loras_of

        cancel.raise_if_cancelled()
        progress(Progress(job.clip, "load", 0, 0, message="loading models"))
        components = self.components(job.options, job.cache_dir)
        use_threads(components, job.options)
        if components.preset in PRESET_NOTICES:  # say so: its frames are not what the real model would make
            progress(Progress(job.clip, "load", 0, 0, message=PRESET_NOTICES[components.preset]))
        loras = loras_of(job.recipe.params, job.media)
        if loras:
            progress(Progress(job.clip, "load", 0, 0, message=f"applying {len(loras)} LoRA(s)"))
            # Encode first: under an exclusive memory plan a text session releases the transformer, which
            # would come back without the LoRA.
            from .encoders import encode_prompts

            encode_prompts(components, _prompts_of([job.recipe]))
        with clip_loras(components.get_transformer(), loras):
            return self._render_sections(job, components, out, progress, cancel)

    def _render_sections(
        self, job: RenderJob, components: Components, out: FrameSink, progress: ProgressCallback, cancel: CancelToken
    ) -> ContextBlob:
        from .checkpoint import SectionCheckpoints
        from .step_report import StepReporter

        config = FramePackF1Config.from_params(job.recipe.params)
        sections = sections_for(job.recipe.frames, job.recipe.carries, config.latent_window_size)
        renderer = self._start_clip(job, config, sections, components, progress)
        start = renderer.start_state()  # kept with the take's sections, so the take can be split later
        sink = _ResumableSink(out)

        # A previous attempt that was killed left finished sections behind: replay them (decode only).
        key = f"{job.recipe_hash}|{components.identity}"
        checkpoints = SectionCheckpoints(job.work_dir, hashlib.sha256(key.encode()).hexdigest())
        done = min(checkpoints.count(), sections)
        for index, (latents, rng_state) in enumerate(checkpoints.finished(done)):
            cancel.raise_if_cancelled()
            progress(Progress(job.clip, "resume", index + 1, done, section=index + 1, sections=sections))
            sink.write_all(renderer.accept_section(latents, rng_state))

        steps = StepReporter(job.clip, config.steps, sections, first=done, progress=progress, cancel=cancel)
        for index in range(done, sections):
            latents, frames = renderer.run_section(callback=steps.for_section(index))
            sink.write_all(frames)
            checkpoints.save(index, latents, renderer.rng_state())
            done_message = f"section {index + 1}/{sections} decoded"
            progress(
                Progress(job.clip, "decode", (index + 1) * config.steps, steps.total, index + 1, sections, done_message)
            )
        sink.write_all(renderer.end_clip())

        outgoing = renderer.context()
        outgoing.save(job.context_path, extra={"recipe_hash": job.recipe_hash, "clip": job.clip})
        _keep_sections(job, checkpoints, sections, start, components.model_id)
        return ContextBlob(path=job.context_path, hash=job.recipe_hash, metadata=_blob_metadata(outgoing))

    @staticmethod
    def _start_clip(
        job: RenderJob, config: FramePackF1Config, sections: int, components: Components, progress: ProgressCallback
    ) -> ChainRenderer:
        """A ``ChainRenderer`` positioned at the start of this clip (fresh, or after the incoming context)."""
        from .context import PackedContext
        from .encoders import load_image
        from .session import ChainRenderer, ClipSpec

        recipe = job.recipe
        context = None
        if recipe.carries:
            if job.incoming is None:
                raise ValueError(f"clip {job.clip!r} carries but no incoming context was given")
            context = PackedContext.load(job.incoming.path)
            context.check_compatible(job.incoming.path, components.model_id, recipe.width, recipe.height)
        image = load_image(job.image_path, recipe.width, recipe.height) if job.image_path else None
        progress(Progress(job.clip, "encode", 0, 0, message="encoding prompt and image"))
        free = bool(job.options.get("free_text_encoders", True))
        renderer = ChainRenderer(components, recipe.width, recipe.height, context=context, free_text_encoders=free)
        noise = recipe.noise.value if recipe.carries else NoiseMode.OWN.value
        renderer.begin_clip(ClipSpec(recipe.prompt, recipe.seed, sections, config, image=image, noise=noise))
        return renderer

    # ------------------------------------------------------------------ split a take (VAE only)
    def split_take(
        self,
        source: TakeSplit,
        first: RenderJob,
        second: RenderJob,
        out_first: FrameSink,
        out_second: FrameSink,
        cancel: CancelToken,
    ) -> tuple[ContextBlob, ContextBlob]:
        """Cut a take on a section boundary from its kept latents: no sampling (see ``split.py``)."""
        from .context import PackedContext
        from .decode import make_vae_decoder
        from .split import TakeSections, sections_path, split_sections

        config = FramePackF1Config.from_params(first.recipe.params)
        at_section = sections_for(first.recipe.frames, first.recipe.carries, config.latent_window_size)
        kept = TakeSections.load(sections_path(source.context))
        outgoing = PackedContext.load(source.context)
        components = self.components(first.options)
        outgoing.check_compatible(source.context, components.model_id, first.recipe.width, first.recipe.height)
        cancel.raise_if_cancelled()
        decode = make_vae_decoder(components.vae)  # as ChainRenderer decodes
        halves = split_sections(kept, outgoing, at_section, decode, out_first.write, out_second.write)
        blobs = []
        for job, half in zip((first, second), halves, strict=True):
            half.context.save(job.context_path, extra={"recipe_hash": job.recipe_hash, "clip": job.clip})
            half.sections.save(sections_path(job.context_path), components.model_id)
            blobs.append(
                ContextBlob(path=job.context_path, hash=job.recipe_hash, metadata=_blob_metadata(half.context))
            )
        return blobs[0], blobs[1]

    # ------------------------------------------------------------------ extend a foreign video
    def context_from_frames(
        self, frames: np.ndarray, recipe: Recipe, context_path: Path, options: dict[str, Any]
    ) -> ContextBlob:
        from .extend import context_from_video

        config = FramePackF1Config.from_params(recipe.params)
        components = self.components(options)
        context = context_from_video(
            components, frames, recipe.width, recipe.height, recipe.seed, config.latent_window_size
        )
        context.save(context_path, extra={"source": "video"})
        digest = hashlib.sha256(np.ascontiguousarray(frames[-1]).tobytes()).hexdigest()
        return ContextBlob(path=context_path, hash=f"video:{digest}", metadata=_blob_metadata(context))


def _prompts_of(recipes: list[Recipe]) -> list[str]:
    """Every prompt these clips encode (the negative one only with real CFG), once each."""
    prompts: list[str] = []
    for recipe in recipes:
        config = FramePackF1Config.from_params(recipe.params)
        prompts.append(recipe.prompt)
        if config.guidance_scale != 1.0:
            prompts.append(config.negative_prompt)
    return list(dict.fromkeys(prompts))


def release_stacks(stacks: dict[tuple, Components]) -> None:
    """Empty a generator's loaded stacks (their text encoders freed) and collect them."""
    if not stacks:
        return  # nothing loaded: no collection pause (the window calls this from its render thread)
    while stacks:
        _, components = stacks.popitem()
        components.free_text_encoders()
    import gc

    gc.collect()  # the stacks hold reference cycles (reload closures); collect once no frame names them


def use_threads(components: Components, options: dict[str, Any]) -> None:
    """On the CPU, compute with ``options["threads"]`` threads (default: ``resources.default_threads``,
    the machine's cores less one, capped; never its load, so a render's bits do not depend on it)."""
    import torch

    from .resources import resolve_threads

    if components.device.type == "cpu":
        torch.set_num_threads(resolve_threads(options))


def _keep_sections(job: RenderJob, checkpoints, count: int, start: dict, model_id: str) -> None:
    """The finished sections (from the checkpoints), beside the context: a split needs no sampling."""
    from .split import TakeSections, sections_path

    latents, rng_states = [], []
    for section_latents, rng_state in checkpoints.finished(count):
        latents.append(section_latents)
        rng_states.append(rng_state)
    TakeSections(latents=latents, rng_states=rng_states, **start).save(sections_path(job.context_path), model_id)


def _blob_metadata(context: PackedContext) -> dict[str, str]:
    return {
        "generator": FramePackF1Generator.id,
        "model_id": context.model_id,
        "dtype": context.dtype,
        "width": str(context.width),
        "height": str(context.height),
        "pixel_frames": str(context.pixel_frames),
    }


class _ResumableSink:
    """Writes frames to the engine's sink, skipping those it already holds (a sink that survived a kill)."""

    def __init__(self, out: FrameSink) -> None:
        self.out = out
        self.skip = out.frames_written
        self.seen = 0

    def write_all(self, frames: list[np.ndarray]) -> None:
        for frame in frames:
            if self.seen >= self.skip:
                self.out.write(frame)
            self.seen += 1
