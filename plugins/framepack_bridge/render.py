"""One bridge clip from its two anchor frames: encode, sample (``loop.py``), decode, write.

Runs on F1's pieces: its encoders (VAE, SigLIP, text, with their caches), its VAE decoder, LoRA loading and
per-step progress (``StepReporter``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fp_timeline.engine.generator import CancelToken, Dependency, FrameSink, Progress, ProgressCallback, RenderJob
from fp_timeline_plugins.framepack_f1.checkpoint import SectionCheckpoints
from fp_timeline_plugins.framepack_f1.components import Components
from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
from fp_timeline_plugins.framepack_f1.decode import TEMPORAL_RATIO, SectionDecoder, make_vae_decoder, to_uint8_frames
from fp_timeline_plugins.framepack_f1.encoders import encode_image, encode_prompt, fit_image, load_image, vae_encode
from fp_timeline_plugins.framepack_f1.loop import Conditioning
from fp_timeline_plugins.framepack_f1.step_report import StepReporter

from .config import end_image
from .loop import Anchors, sample_bridge


@dataclass(frozen=True)
class AnchorFrames:
    """The clip's first and last frames as they must come out, (H, W, 3) uint8 at the clip's size."""

    start: np.ndarray
    end: np.ndarray


def anchor_frames(job: RenderJob) -> AnchorFrames:
    """The start image (else the previous take's last frame) and the end image (else the next take's first)."""
    recipe = job.recipe
    size = (recipe.width, recipe.height)
    if job.image_path is not None:
        start = load_image(job.image_path, *size)
    else:
        start = _neighbour(job, Dependency.PREVIOUS_LAST_FRAME, "the previous clip's last frame", size)
    stored = end_image(recipe)
    if stored is not None:
        end = load_image(job.media.get(stored, Path(stored)), *size)
    else:
        end = _neighbour(job, Dependency.NEXT_FIRST_FRAME, "the next clip's first frame", size)
    return AnchorFrames(start, end)


def _neighbour(job: RenderJob, dependency: Dependency, what: str, size: tuple[int, int]) -> np.ndarray:
    frame = job.neighbour_frames.get(dependency.value)
    if frame is None:
        raise ValueError(f"clip {job.clip!r} starts or ends on {what}, but the engine gave none")
    return fit_image(np.asarray(frame, dtype=np.uint8), *size)


def encode_anchors(components: Components, frames: AnchorFrames, seed: int) -> Anchors:
    """Both anchors encoded alone, as FramePack encodes a start image."""
    start = vae_encode(components, frames.start[None], seed)
    return Anchors(start=start, end=vae_encode(components, frames.end[None], seed))


def decode_landing(components: Components, latents: torch.Tensor, end: torch.Tensor, window: int) -> list[np.ndarray]:
    """The clip's frames, decoded section by section as F1 decodes (FramePack's soft-append, so memory does not
    grow with the length), ending on the end anchor.

    The causal VAE decodes a clip's first latent alone, so the first frame is the start anchor's; the last
    latent's four frames also depend on the latents before it.  So the end latent is decoded alone as well
    and cross-faded in over those four frames: the last frame is the end anchor's, and a model that already
    lands (the real one) is barely changed.
    """
    decode = make_vae_decoder(components.vae)
    decoder = SectionDecoder(decode, latents[:, :, :1], fresh=True)
    frames: list[np.ndarray] = []
    for first in range(1, latents.shape[2], window):
        frames += decoder.push(latents[:, :, first : first + window])
    frames += decoder.finish()
    return land_on(frames, to_uint8_frames(decode(end))[0])


def land_on(frames: list[np.ndarray], still: np.ndarray, count: int = TEMPORAL_RATIO) -> list[np.ndarray]:
    """Cross-fade ``still`` into the last ``count`` frames, linearly, so the very last frame is ``still``."""
    landed = list(frames)
    for offset, weight in enumerate(np.linspace(1.0, 0.0, count)):
        index = len(landed) - count + offset
        mixed = weight * landed[index].astype(np.float32) + (1.0 - weight) * still.astype(np.float32)
        landed[index] = np.clip(np.round(mixed), 0, 255).astype(np.uint8)
    return landed


def conditioning(components: Components, prompt: str, config: FramePackF1Config, frames: AnchorFrames) -> Conditioning:
    """Text, and the mean of both anchors' SigLIP embeddings (FramePack PR #167, as diffusers does)."""
    image_embeds = (encode_image(components, frames.start) + encode_image(components, frames.end)) / 2
    negative = encode_prompt(components, config.negative_prompt) if config.guidance_scale != 1.0 else None
    return Conditioning(text=encode_prompt(components, prompt), image_embeds=image_embeds, negative=negative)


def render_bridge(
    job: RenderJob,
    components: Components,
    config: FramePackF1Config,
    sections: int,
    out: FrameSink,
    progress: ProgressCallback,
    cancel: CancelToken,
) -> np.ndarray:
    """Sample and decode the clip into ``out``; returns its last frame."""
    frames = anchor_frames(job)
    progress(Progress(job.clip, "encode", 0, 0, message="encoding prompt and both anchors"))
    cond = conditioning(components, job.recipe.prompt, config, frames)
    anchors = encode_anchors(components, frames, job.recipe.seed)
    if bool(job.options.get("free_text_encoders", True)):
        components.free_text_encoders()
    steps = StepReporter(job.clip, config.steps, sections, 0, progress, cancel, order=" (from the end)")
    key = hashlib.sha256(f"bridge|{job.recipe_hash}|{components.identity}".encode()).hexdigest()
    latents = sample_bridge(
        components.get_transformer(),
        cond,
        anchors,
        config,
        sections,
        torch.Generator("cpu").manual_seed(job.recipe.seed),
        device=components.device,
        dtype=components.dtype,
        callback_for=steps.for_section,
        checkpoints=SectionCheckpoints(job.work_dir, key),  # a killed render resumes after its last section
        on_resume=steps.resumed,
    )
    cancel.raise_if_cancelled()
    progress(Progress(job.clip, "decode", steps.total, steps.total, sections, sections, "decoding"))
    video = decode_landing(components, latents, anchors.end, config.latent_window_size)
    for frame in video[out.frames_written :]:  # a sink that survived a kill already holds some
        out.write(frame)
    return video[-1]
