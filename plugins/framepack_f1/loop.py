"""One F1 section, and the small state carried from section to section (and from clip to clip).

Faithful to FramePack's ``demo_gradio_f1.py`` worker loop: one CPU ``torch.Generator`` per render, exactly
one float32 ``randn((1, C, L, h, w))`` per section and nothing else drawing from it; history starts as 19
zero frames + the start latent; the new latents are appended after each section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import torch

from .config import FramePackF1Config
from .denoiser import FlowMatchDenoiser
from .layout import SectionIndices, last_history, section_indices, split_history
from .sampling import SAMPLER_FUNCTIONS, StepCallback
from .schedules import section_sigmas


@dataclass(frozen=True)
class TextConditioning:
    """Encoded prompt, batch 1."""

    embeds: torch.Tensor  # (1, N, D_text) Llama hidden states, zero-padded
    mask: torch.Tensor  # (1, N) bool, True for the real tokens (right padding)
    pooled: torch.Tensor  # (1, D_pool) CLIP-L pooled output


@dataclass(frozen=True)
class Conditioning:
    """Everything a section is conditioned on besides the history."""

    text: TextConditioning
    image_embeds: torch.Tensor  # (1, M, D_img) SigLIP last hidden state of the anchor image
    negative: TextConditioning | None = None  # only used with real CFG (guidance_scale != 1)


@dataclass(frozen=True)
class LoopState:
    """What the next section needs from the past: fixed size, however long the generation is."""

    history: torch.Tensor  # (1, C, 19, h, w) float32 CPU: the last 19 frames of the zero-padded history
    anchor: torch.Tensor  # (1, C, 1, h, w) float32 CPU: the start (anchor) image latent
    real_frames: int  # real latent frames generated so far, the start latent included

    @classmethod
    def start(cls, start_latent: torch.Tensor) -> LoopState:
        """A fresh clip: 19 zero frames, then the start latent.  start_latent: (1, C, 1, h, w)."""
        start_latent = start_latent.detach().float().cpu()
        return cls(history=last_history(start_latent), anchor=start_latent, real_frames=1)

    def appended(self, latents: torch.Tensor) -> LoopState:
        """The state after a section produced ``latents`` (1, C, L, h, w)."""
        history = last_history(torch.cat([self.history, latents.float().cpu()], dim=2))
        return replace(self, history=history, real_frames=self.real_frames + latents.shape[2])

    def with_anchor(self, anchor: torch.Tensor) -> LoopState:
        """Same history, new anchor (a carried clip with its own start image)."""
        return replace(self, anchor=anchor.detach().float().cpu())


def draw_section_noise(
    rng: torch.Generator, channels: int, config: FramePackF1Config, height: int, width: int
) -> torch.Tensor:
    """The section's only draw from the render's generator: (1, C, L, h, w) float32 on the CPU."""
    shape = (1, channels, config.latent_window_size, height, width)
    return torch.randn(shape, generator=rng, dtype=torch.float32)


def _text_kwargs(text: TextConditioning, device: torch.device, dtype: torch.dtype) -> dict:
    """The transformer's text inputs: all that differs between the positive and the negative branch."""
    return {
        "encoder_hidden_states": text.embeds.to(device=device, dtype=dtype),
        "encoder_attention_mask": text.mask.to(device),
        "pooled_projections": text.pooled.to(device=device, dtype=dtype),
    }


def section_kwargs(
    cond: Conditioning,
    idx: SectionIndices,
    groups: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    config: FramePackF1Config,
    device: torch.device,
    dtype: torch.dtype,
) -> dict:
    """The transformer's inputs for one section: text, image, guidance, and the (clean, 2x, 4x) history
    latents ``groups`` at the frame indices ``idx`` (F1's forward layout, or the bridge's inverted one)."""
    clean, h2x, h4x = groups

    def to(t: torch.Tensor) -> torch.Tensor:
        return t.to(device=device, dtype=dtype)

    return {
        **_text_kwargs(cond.text, device, dtype),
        "image_embeds": to(cond.image_embeds),
        "guidance": torch.tensor([config.distilled_guidance * 1000.0], device=device).to(dtype),
        "indices_latents": idx.latents.to(device),
        "latents_clean": to(clean),
        "indices_latents_clean": idx.clean.to(device),
        "latents_history_2x": to(h2x),
        "indices_latents_history_2x": idx.history_2x.to(device),
        "latents_history_4x": to(h4x),
        "indices_latents_history_4x": idx.history_4x.to(device),
    }


def section_denoiser(
    transformer: torch.nn.Module,
    cond: Conditioning,
    positive: dict,
    config: FramePackF1Config,
    device: torch.device,
    dtype: torch.dtype,
) -> FlowMatchDenoiser:
    """The section's denoiser on ``positive`` (``section_kwargs``), with the negative branch under real CFG."""
    negative = None
    if config.guidance_scale != 1.0:
        # FramePack feeds zeros for the negative text when no negative prompt was encoded.
        neg = cond.negative or TextConditioning(
            torch.zeros_like(cond.text.embeds), cond.text.mask, torch.zeros_like(cond.text.pooled)
        )
        negative = {**positive, **_text_kwargs(neg, device, dtype)}  # same history, image and guidance
    return FlowMatchDenoiser(
        transformer,
        positive,
        negative,
        cfg_scale=config.guidance_scale,
        cfg_rescale=config.guidance_rescale,
        dtype=dtype,
    )


def denoise(
    denoiser: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    noise: torch.Tensor,
    config: FramePackF1Config,
    device: torch.device,
    callback: StepCallback | None = None,
) -> torch.Tensor:
    """Run the configured sampler from ``noise`` (1, C, L, h, w) over the section's sigmas; float32 on the CPU."""
    _, _, frames, height, width = noise.shape
    sigmas, _ = section_sigmas(config.steps, frames, height, width, config.shift)
    sampler = SAMPLER_FUNCTIONS[config.sampler]
    latents = sampler(denoiser, noise.to(device), sigmas.to(device), callback=callback)
    return latents.float().cpu()


@torch.no_grad()
def sample_section(
    transformer: torch.nn.Module,
    state: LoopState,
    cond: Conditioning,
    noise: torch.Tensor,
    config: FramePackF1Config,
    *,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    callback: StepCallback | None = None,
) -> torch.Tensor:
    """Denoise one section from ``noise`` (1, C, L, h, w); returns the new latents, float32 on the CPU."""
    device = torch.device(device)
    groups = split_history(state.history, state.anchor)
    positive = section_kwargs(cond, section_indices(config.latent_window_size), groups, config, device, dtype)
    denoiser = section_denoiser(transformer, cond, positive, config, device, dtype)
    return denoise(denoiser, noise, config, device, callback)
