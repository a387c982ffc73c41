"""The bridge's sampling: FramePack's inverted anti-drifting loop with both anchors pinned.

Sections are sampled from the clip's end back to its start (``layout.py``).  Two pins make the clip land:

- the *start* latent is the clip's first latent (as FramePack and diffusers prepend it);
- the *end* latent is the clip's last latent: in the first section sampled, the denoiser's x0 prediction
  of the window's last frame is replaced by the end anchor at every step, so the sampler converges on it
  (Euler's last step and UniPC's result are that prediction) while the frames before it are denoised
  around it, and the next section sees it in its 1x history.

Everything else is F1's, called, not copied: a section's transformer inputs (``section_kwargs``, given this
layout's indices and history), its flow-matching denoiser with CFG (``section_denoiser``), the sigma schedule
and sampler (``denoise``), section noise (one CPU generator per clip, one draw per section), and its
per-section checkpoints: with ``checkpoints`` each sampled section's latents and the noise generator's
state are saved in the job's ``work_dir``, and a killed render starts after the last one saved (the history
is the saved latents, the generator's state restored), so it samples the same latents as an uninterrupted
render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from fp_timeline_plugins.framepack_f1.checkpoint import SectionCheckpoints
from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
from fp_timeline_plugins.framepack_f1.denoiser import FlowMatchDenoiser
from fp_timeline_plugins.framepack_f1.loop import (
    Conditioning,
    denoise,
    draw_section_noise,
    section_denoiser,
    section_kwargs,
)
from fp_timeline_plugins.framepack_f1.sampling import StepCallback

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
        idx = inverted_indices(window, padding)
        positive = section_kwargs(cond, idx, split_future(seen, anchors.start), config, device, dtype)
        inner = section_denoiser(transformer, cond, positive, config, device, dtype)
        denoiser = PinnedDenoiser(inner, anchors.end if first else None)
        noise = draw_section_noise(rng, channels, config, height, width)
        latents = denoise(denoiser, noise, config, device, callback_for(index))
        history = torch.cat([latents, history], dim=2)
        if checkpoints is not None:
            checkpoints.save(index, latents, rng.get_state())
    return torch.cat([anchors.start, history[:, :, : sections * window]], dim=2)
