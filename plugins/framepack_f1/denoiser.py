"""The FramePack transformer as a k-diffusion denoiser: D(x, sigma) = x - sigma * v.

The transformer predicts the flow velocity ``v`` at timestep ``sigma * 1000``; optional real CFG mixes a
negative branch in (FramePack evaluates it only when ``cfg_scale != 1``).
"""

from __future__ import annotations

from typing import Any

import torch

T_SCALE = 1000.0  # diffusers/FramePack timesteps are sigma * 1000


def _rescale_cfg(guided: torch.Tensor, positive: torch.Tensor, rescale: float) -> torch.Tensor:
    """Guidance rescale (Lin et al. 2023, "Common Diffusion Noise Schedules...", sec. 3.4)."""
    if rescale == 0:
        return guided
    dims = list(range(1, positive.ndim))
    rescaled = guided * (positive.std(dim=dims, keepdim=True) / guided.std(dim=dims, keepdim=True))
    return rescale * rescaled + (1.0 - rescale) * guided


class FlowMatchDenoiser:
    """Callable ``(x, sigma) -> x0``; ``positive``/``negative`` are the transformer's conditioning kwargs."""

    def __init__(
        self,
        transformer: torch.nn.Module,
        positive: dict[str, Any],
        negative: dict[str, Any] | None = None,
        cfg_scale: float = 1.0,
        cfg_rescale: float = 0.0,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        self.transformer = transformer
        self.positive = positive
        self.negative = negative
        self.cfg_scale = cfg_scale
        self.cfg_rescale = cfg_rescale
        self.dtype = dtype
        self.calls = 0  # counted so tests can check "exactly S model calls"

    def velocity(self, x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        """Guided velocity in float32.  x: (B, C, T, h, w); sigma: (B,)."""
        self.calls += 1
        timestep = (sigma.float() * T_SCALE).to(self.dtype)  # bf16 on GPU, as in FramePack
        hidden = x.to(self.dtype)
        v_pos = self.transformer(hidden_states=hidden, timestep=timestep, return_dict=False, **self.positive)[0].float()
        if self.cfg_scale == 1.0 or self.negative is None:
            return v_pos
        v_neg = self.transformer(hidden_states=hidden, timestep=timestep, return_dict=False, **self.negative)[0].float()
        return _rescale_cfg(v_neg + self.cfg_scale * (v_pos - v_neg), v_pos, self.cfg_rescale)

    def __call__(self, x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        v = self.velocity(x, sigma)
        x0 = x.float() - v * sigma.float().view(-1, *([1] * (x.ndim - 1)))
        return x0.to(x.dtype)
