"""Cheap latent-to-RGB previews for the UI: a fixed linear map, no VAE."""

from __future__ import annotations

import numpy as np
import torch

# Linear fit from HunyuanVideo's 16 latent channels to RGB (ComfyUI's factors, as used by FramePack).
LATENT_RGB = torch.tensor(
    [
        [-0.0395, -0.0331, 0.0445],
        [0.0696, 0.0795, 0.0518],
        [0.0135, -0.0945, -0.0282],
        [0.0108, -0.0250, -0.0765],
        [-0.0209, 0.0032, 0.0224],
        [-0.0804, -0.0254, -0.0639],
        [-0.0991, 0.0271, -0.0669],
        [-0.0646, -0.0422, -0.0400],
        [-0.0696, -0.0595, -0.0894],
        [-0.0799, -0.0208, -0.0375],
        [0.1166, 0.1627, 0.0962],
        [0.1165, 0.0432, 0.0407],
        [-0.2315, -0.1920, -0.1355],
        [-0.0270, 0.0401, -0.0821],
        [-0.0616, -0.0997, -0.0727],
        [0.0249, -0.0469, -0.1703],
    ]
)
LATENT_RGB_BIAS = torch.tensor([0.0259, -0.0192, -0.0761])


def latent_preview(latents: torch.Tensor, max_frames: int = 4) -> np.ndarray:
    """(1, 16, T, h, w) latents -> (h, w * n, 3) uint8: up to ``max_frames`` frames side by side."""
    lat = latents[0].detach().float().cpu()  # (C, T, h, w)
    step = max(1, lat.shape[1] // max_frames)
    lat = lat[:, ::step][:, :max_frames]
    rgb = torch.einsum("cthw,cr->thwr", lat, LATENT_RGB) + LATENT_RGB_BIAS  # (T, h, w, 3)
    rgb = (rgb.clamp(0, 1) * 255).round().to(torch.uint8)
    return np.ascontiguousarray(torch.cat(list(rgb), dim=1).numpy())  # (h, T*w, 3)
