"""Flow-matching sigma schedules: small pure functions, as in k-diffusion.

The resolution-dependent shift is the one of Flux / SD3 (Esser et al. 2024, "Scaling Rectified Flow
Transformers", sec. 5.3.2): ``sigma(t) = e^mu / (e^mu + 1/t - 1)``, with ``mu`` linear in the token count.
FramePack caps ``mu`` at ``ln 7``, so at real resolutions it equals HunyuanVideo's static shift 7.
"""

from __future__ import annotations

import math

import torch

BASE_SEQ_LEN, BASE_MU = 256, 0.5
MAX_SEQ_LEN, MAX_MU = 4096, 1.15
MAX_SHIFT = 7.0


def flux_shift_mu(seq_len: int, max_shift: float = MAX_SHIFT) -> float:
    """``mu`` for ``seq_len`` transformer tokens (latent T*h*w // 4), capped at ``ln(max_shift)``."""
    # Written as slope * x + intercept (FramePack's form) so the float64 result matches it bit for bit.
    slope = (MAX_MU - BASE_MU) / (MAX_SEQ_LEN - BASE_SEQ_LEN)
    intercept = BASE_MU - slope * BASE_SEQ_LEN
    return min(slope * seq_len + intercept, math.log(max_shift))


def section_seq_len(latent_frames: int, height: int, width: int, patch_size: int = 2) -> int:
    """Tokens of one section's noisy latents: (T, h, w) patchified by ``patch_size`` x ``patch_size``."""
    return latent_frames * height * width // (patch_size * patch_size)


def sigmas_from_mu(steps: int, mu: float) -> torch.Tensor:
    """``steps + 1`` float32 sigmas from 1 down to 0, time-shifted by ``e^mu``; the last is exactly 0."""
    t = torch.linspace(1, 0, steps + 1)  # float32, like FramePack
    shift = math.exp(mu)
    return shift / (shift + (1.0 / t - 1.0))  # t = 0 gives 1/0 = inf, hence sigma 0


def section_sigmas(
    steps: int, latent_frames: int, height: int, width: int, shift: float | None = None
) -> tuple[torch.Tensor, float]:
    """Sigmas and mu for one section; a static ``shift`` overrides the resolution-dependent mu."""
    seq_len = section_seq_len(latent_frames, height, width)
    mu = math.log(shift) if shift is not None else flux_shift_mu(seq_len)
    return sigmas_from_mu(steps, mu), mu
