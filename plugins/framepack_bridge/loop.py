"""The bridge's sampling: FramePack's inverted anti-drifting loop with both anchors pinned.

Sections are sampled from the clip's end back to its start (``layout.py``).  Two pins make the clip land:

- the *start* latent is the clip's first latent (as FramePack and diffusers prepend it);
- the *end* latent is the clip's last latent: in the first section sampled, the denoiser's x0 prediction
  of the window's last frame is replaced by the end anchor at every step, so the sampler converges on it
  (Euler's last step and UniPC's result are that prediction) while the frames before it are denoised
  around it, and the next section sees it in its 1x history.

Everything else is F1's: the flow-matching denoiser, sigma schedules, samplers and section noise (one
CPU generator per clip, one draw per section), and its per-section checkpoints: with ``checkpoints`` each
sampled section's latents and the noise generator's state are saved in the job's ``work_dir``, and a
killed render starts after the last one saved (the history is the saved latents, the generator's state
restored), so it samples the same latents as an uninterrupted render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from fp_timeline_plugins.framepack_f1.checkpoint import SectionCheckpoints
from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
from fp_timeline_plugins.framepack_f1.denoiser import FlowMatchDenoiser
from fp_timeline_plugins.framepack_f1.loop import Conditioning, TextConditioning, _text_kwargs, draw_section_noise
from fp_timeline_plugins.framepack_f1.sampling import SAMPLER_FUNCTIONS, StepCallback
from fp_timeline_plugins.framepack_f1.schedules import section_sigmas

from .layout import HISTORY_FRAMES, inverted_indices, latent_paddings, split_future


@dataclass(frozen=True)
class Anchors:
    """The latents a clip starts and ends on, (1, C, 1, h, w) float32 on the CPU."""

    start: torch.Tensor
    end: torch.Tensor


class PinnedDenoiser:
    """A denoiser whose x0 prediction of the last frame is the end anchor: the sampler lands there."""

    def __init__(self, inner: FlowMatchDenoiser, end: torch.Tensor | None) -> None:
        self.inner, self.end = inner, end

    def __call__(self, x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        x0 = self.inner(x, sigma)
        if self.end is not None:
            x0 = torch.cat([x0[:, :, :-1], self.end.to(device=x0.device, dtype=x0.dtype)], dim=2)
        return x0


def _section_kwargs(
    cond: Conditioning,
    start: torch.Tensor,
    history: torch.Tensor,
    config: FramePackF1Config,
    padding: int,
    device: torch.device,
    dtype: torch.dtype,
) -> dict:
    idx = inverted_indices(config.latent_window_size, padding)
    clean, h2x, h4x = split_future(history, start)

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


def _denoiser(transformer, cond: Conditioning, positive: dict, config: FramePackF1Config, dtype) -> FlowMatchDenoiser:
    negative = None
    if config.guidance_scale != 1.0:  # FramePack feeds zeros for the negative text when none was encoded
        neg = cond.negative or TextConditioning(
            torch.zeros_like(cond.text.embeds), cond.text.mask, torch.zeros_like(cond.text.pooled)
        )
        negative = {**positive, **_text_kwargs(neg, positive["image_embeds"].device, dtype)}
    return FlowMatchDenoiser(
        transformer,
        positive,
        negative,
        cfg_scale=config.guidance_scale,
        cfg_rescale=config.guidance_rescale,
        dtype=dtype,
    )


@torch.no_grad()
def sample_bridge(
    transformer: torch.nn.Module,
    cond: Conditioning,
    anchors: Anchors,
    config: FramePackF1Config,
    sections: int,
    rng: torch.Generator,
    *,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    callback_for: Callable[[int], StepCallback | None] = lambda _index: None,
    checkpoints: SectionCheckpoints | None = None,
    on_resume: Callable[[int, int], None] = lambda _index, _done: None,
) -> torch.Tensor:
    """All the clip's latents, (1, C, 1 + sections * L, h, w) float32 on the CPU, first = start, last = end.

    ``callback_for(k)`` gives the step callback of the k-th section sampled (the clip's last section first).
    With ``checkpoints``, sections saved by an earlier attempt are taken from them, not sampled
    (``on_resume(k, done)`` for each), and every section sampled is saved.
    """
    device = torch.device(device)
    _, channels, _, height, width = anchors.start.shape
    window = config.latent_window_size
    history = anchors.start.new_zeros(1, channels, HISTORY_FRAMES, height, width)  # the future, nearest first
    done = min(checkpoints.count(), sections) if checkpoints is not None else 0
    for index, (latents, rng_state) in enumerate(checkpoints.finished(done) if checkpoints is not None else ()):
        on_resume(index, done)
        rng.set_state(rng_state)
        history = torch.cat([latents, history], dim=2)
    for index, padding in enumerate(latent_paddings(sections)):
        if index < done:
            continue
        first = index == 0
        seen = torch.cat([anchors.end, history[:, :, 1:]], dim=2) if first else history
        positive = _section_kwargs(cond, anchors.start, seen, config, padding, device, dtype)
        denoiser = PinnedDenoiser(_denoiser(transformer, cond, positive, config, dtype), anchors.end if first else None)
        noise = draw_section_noise(rng, channels, config, height, width)
        sigmas, _ = section_sigmas(config.steps, window, height, width, config.shift)
        sampler = SAMPLER_FUNCTIONS[config.sampler]
        latents = sampler(denoiser, noise.to(device), sigmas.to(device), callback=callback_for(index)).float().cpu()
        history = torch.cat([latents, history], dim=2)
        if checkpoints is not None:
            checkpoints.save(index, latents, rng.get_state())
    return torch.cat([anchors.start, history[:, :, : sections * window]], dim=2)
