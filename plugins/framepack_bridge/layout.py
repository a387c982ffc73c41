"""The inverted anti-drifting layout (FramePack, Zhang & Agrawala 2025, Fig. 2c): sections are sampled from
the end of the clip back to its start, each seeing the start latent and the history *after* it.

On one frame axis the transformer sees, for a section with ``padding`` blank windows before it:

    [start | padding * L blank | L new frames | 1 at 1x | 2 at 2x | 16 at 4x]
     index 0                     ...            (the history that follows the new frames, nearest first)

The start latent and the 1x frame are the "clean" latents.  The first section sampled (the clip's end) has
no history yet: its 1x frame is the end anchor, so the clip is generated towards it.  Paddings follow
FramePack's ``demo_gradio.py`` (and diffusers' ``HunyuanVideoFramepackPipeline``).
"""

from __future__ import annotations

import torch

from fp_timeline_plugins.framepack_f1.layout import SectionIndices

HISTORY_SPLIT = (1, 2, 16)  # (1x, 2x, 4x) frames of the history after the section, nearest first
HISTORY_FRAMES = sum(HISTORY_SPLIT)


def latent_paddings(sections: int) -> list[int]:
    """Blank windows before each section, in sampling order (the clip's last section first)."""
    if sections > 4:
        return [3] + [2] * (sections - 3) + [1, 0]
    return list(reversed(range(sections)))


def inverted_indices(latent_window_size: int, padding: int) -> SectionIndices:
    """Indices for a section of ``latent_window_size`` new frames after ``padding`` blank windows (F1's
    ``SectionIndices``: the same four groups the transformer takes, at this layout's places; clean = start + 1x)."""
    sizes = [1, padding * latent_window_size, latent_window_size, *HISTORY_SPLIT]
    start, _blank, latents, h1x, h2x, h4x = torch.arange(sum(sizes)).split(sizes)
    return SectionIndices(latents=latents, clean=torch.cat([start, h1x]), history_2x=h2x, history_4x=h4x)


def split_future(history: torch.Tensor, start: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(clean, 2x, 4x) latents: the start latent with the nearest following frame, then the 2x and 4x ones.

    history: (B, C, >=19, h, w), the frames after the section (nearest first, zero-padded at the end while
    little is generated); start: (B, C, 1, h, w).
    """
    h1x, h2x, h4x = history[:, :, :HISTORY_FRAMES].split(HISTORY_SPLIT, dim=2)
    return torch.cat([start, h1x], dim=2), h2x, h4x
