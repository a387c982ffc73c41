"""Incremental VAE decode with FramePack's soft-append blend, and how a clip boundary is decoded.

FramePack decodes, after each section, only the last ``2L`` latents (the new ``L`` plus ``L`` before them
as temporal context) into ``8L - 3`` frames; the first ``4L - 3`` overlap the end of the video so far and
are cross-faded in (``soft_append_bcthw``), the last ``4L`` are new.  So the last ``4L - 3`` frames of a
section are not final until the next section arrives: this decoder holds exactly those back and writes
everything else, so memory does not grow with the shot length.

At a clip boundary (a cut) the first clip's take must stay final.  ``finish()`` writes the held-back
frames unblended, and the next clip's first section is decoded with the previous ``L`` latents as context
(so motion and colour continue) but its overlap frames are dropped instead of blended.  A continuous
multi-prompt render calls ``finish()`` at the same boundaries, so split and continuous renders give
identical frames.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

TEMPORAL_RATIO = 4  # HunyuanVideo VAE: 1 + 4 (T - 1) frames from T latents


def pixel_frames(latent_frames: int) -> int:
    return (latent_frames - 1) * TEMPORAL_RATIO + 1


def soft_append(history: torch.Tensor, current: torch.Tensor, overlap: int) -> torch.Tensor:
    """Cross-fade the last ``overlap`` frames of ``history`` into the first of ``current``.

    history, current: (B, 3, T, H, W).  Weights fall linearly from 1 (history) to 0 across the overlap.
    """
    if overlap <= 0:
        return torch.cat([history, current], dim=2)
    weights = torch.linspace(1, 0, overlap, dtype=history.dtype, device=history.device).view(1, 1, -1, 1, 1)
    blended = weights * history[:, :, -overlap:] + (1 - weights) * current[:, :, :overlap]
    return torch.cat([history[:, :, :-overlap], blended, current[:, :, overlap:]], dim=2)


def to_uint8_frames(pixels: torch.Tensor) -> list[np.ndarray]:
    """(1, 3, T, H, W) in [-1, 1] -> T arrays (H, W, 3) uint8."""
    video = ((pixels[0].float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)  # (3, T, H, W)
    return list(video.permute(1, 2, 3, 0).cpu().numpy())


class SectionDecoder:
    """Turns each section's new latents into final frames.

    ``tail`` (1, C, <=L, h, w) is the latent context before the next section: the start latent for a
    fresh clip, the previous clip's last latents after a cut.  ``fresh=True`` means the clip starts at its
    start image, whose frame is written; otherwise (a cut) the overlap with the previous clip is dropped.
    """

    def __init__(self, decode: Callable[[torch.Tensor], torch.Tensor], tail: torch.Tensor, fresh: bool) -> None:
        self._decode = decode  # latents (1, C, T, h, w) -> pixels (1, 3, 1 + 4(T-1), H, W) in [-1, 1]
        self.tail = tail.float().cpu()
        self._fresh = fresh
        self._held: torch.Tensor | None = None  # (1, 3, 4L-3, H, W) not yet final

    def push(self, latents: torch.Tensor) -> list[np.ndarray]:
        """Decode a section's new latents (1, C, L, h, w); returns the frames that are now final."""
        window = latents.shape[2]
        latents = latents.float().cpu()
        context = self.tail[:, :, -window:]
        pixels = self._decode(torch.cat([context, latents], dim=2)).float().cpu()
        new = TEMPORAL_RATIO * window
        overlap = pixels.shape[2] - new
        if self._held is not None:  # within a clip: cross-fade, as FramePack does
            if self._held.shape[2] != overlap:
                raise ValueError("latent window changed inside a clip; call finish() between clips")
            pixels = soft_append(self._held, pixels, overlap)
        elif not self._fresh:  # first section after a cut: the overlap belongs to the previous take
            pixels = pixels[:, :, overlap:]
        self._fresh = False
        self.tail = latents
        hold = max(pixel_frames(2 * window) - new, 0)  # the next section's overlap
        self._held = pixels[:, :, pixels.shape[2] - hold :]
        return to_uint8_frames(pixels[:, :, : pixels.shape[2] - hold])

    @property
    def fresh(self) -> bool:
        """Whether the next section is the clip's first after its start image (its first frame is written)."""
        return self._fresh

    def finish(self) -> list[np.ndarray]:
        """End of a clip: the held-back frames become final as they are."""
        held, self._held = self._held, None
        return [] if held is None else to_uint8_frames(held)


def make_vae_decoder(vae: torch.nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """``latents -> pixels`` through the VAE (latents are stored times the scaling factor)."""

    @torch.no_grad()
    def decode(latents: torch.Tensor) -> torch.Tensor:
        scaled = (latents / vae.config.scaling_factor).to(device=vae.device, dtype=vae.dtype)
        return vae.decode(scaled).sample

    return decode
