"""The F1 history layout: which history latents condition a section, and at which frame indices.

F1 ("vanilla" sampling) generates forward.  The transformer sees, on one frame axis:

    [anchor | 16 history frames at 4x compression | 2 at 2x | 1 at 1x | L new frames]
     index 0   1 .. 16                               17, 18   19        20 .. 19 + L

The anchor (start image latent) and the 1x frame form the "clean" latents.  The indices never change:
only the history slid under them does.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

HISTORY_SPLIT = (16, 2, 1)  # (4x, 2x, 1x) frames of the most recent history
HISTORY_FRAMES = sum(HISTORY_SPLIT)  # 19: all a section ever reads from history


@dataclass(frozen=True)
class SectionIndices:
    """1-D frame indices of each group (diffusers wants 1-D; FramePack used shape (1, N)).

    The bridge's inverted layout fills the same groups at other places (``framepack_bridge.layout``)."""

    latents: torch.Tensor
    clean: torch.Tensor  # anchor + 1x
    history_2x: torch.Tensor
    history_4x: torch.Tensor


def section_indices(latent_window_size: int) -> SectionIndices:
    """Indices for a section of ``latent_window_size`` new latent frames."""
    sizes = [1, *HISTORY_SPLIT, latent_window_size]
    anchor, h4x, h2x, h1x, latents = torch.arange(sum(sizes)).split(sizes)
    return SectionIndices(latents=latents, clean=torch.cat([anchor, h1x]), history_2x=h2x, history_4x=h4x)


def last_history(latents: torch.Tensor) -> torch.Tensor:
    """The last 19 frames of ``latents`` (B, C, T, h, w), zero-padded at the front while T < 19."""
    pad = HISTORY_FRAMES - latents.shape[2]
    if pad > 0:
        latents = torch.cat([latents.new_zeros(*latents.shape[:2], pad, *latents.shape[3:]), latents], dim=2)
    return latents[:, :, -HISTORY_FRAMES:]


def split_history(history: torch.Tensor, anchor: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(clean, 2x, 4x) latents from the last 19 history frames.

    history: (B, C, >=19, h, w), zero-padded at the front while the clip is young; anchor: (B, C, 1, h, w).
    """
    h4x, h2x, h1x = history[:, :, -HISTORY_FRAMES:].split(HISTORY_SPLIT, dim=2)
    return torch.cat([anchor, h1x], dim=2), h2x, h4x
