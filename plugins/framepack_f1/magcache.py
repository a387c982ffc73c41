"""MagCache's magnitude ratios for the F1 transformer: published for the real model, calibrated otherwise.

MagCache (Ma et al. 2025) skips a step when the accumulated change in the residual's magnitude (last block's
output minus first block's input) predicted by per-step ratios stays under a threshold.  The ratios are a
property of the model and the schedule: for the released weights we use the 25-step FramePack ratios the
MagCache authors published (as FramePack-Studio ships them; measured on FramePack, not re-measured on F1
here); for any other weights (the tiny preset, benchmarks) they are calibrated once per model, schedule and
size on a fixed, seeded section, so a render and its resume use the same ratios.
"""

from __future__ import annotations

import torch

from .components import Components
from .config import FramePackF1Config
from .loop import Conditioning, LoopState, TextConditioning, draw_section_noise, sample_section

FRAMEPACK_MAG_RATIOS = (1.0, 1.25781, 1.08594, 1.02344, 1.00781, 1.02344, 1.00781, 1.02344, 1.05469, 0.99609, 1.03906)
FRAMEPACK_MAG_RATIOS += (1.00781, 1.01562, 1.00781, 1.02344, 1.01562, 0.98047, 1.05469, 0.98047, 0.96875, 1.03125)
FRAMEPACK_MAG_RATIOS += (0.97266, 0.9375, 0.96484, 0.78516)

_CALIBRATED: dict[tuple, list[float]] = {}


def ratios_for(components: Components, config: FramePackF1Config, height: int, width: int) -> list[float]:
    """Ratios for this model and schedule (diffusers interpolates them to ``config.steps``)."""
    if components.preset == "real":
        return list(FRAMEPACK_MAG_RATIOS)
    key = (components.identity, config.steps, config.sampler, config.shift, config.latent_window_size, height, width)
    if key not in _CALIBRATED:
        _CALIBRATED[key] = calibrate(
            components.get_transformer(), config, height, width, components.device, components.dtype
        )
    return _CALIBRATED[key]


def calibrate(
    transformer: torch.nn.Module,
    config: FramePackF1Config,
    height: int,
    width: int,
    device: torch.device,
    dtype: torch.dtype,
) -> list[float]:
    """Per-step mean ratio of residual norms (this step's over the previous step's) on a seeded section."""
    residuals: list[torch.Tensor] = []
    head, tail = transformer.transformer_blocks[0], transformer.single_transformer_blocks[-1]
    inputs: list[torch.Tensor] = []
    grab_in = head.register_forward_pre_hook(
        lambda _m, args, kwargs: inputs.append((args[0] if args else kwargs["hidden_states"]).float()),
        with_kwargs=True,
    )
    grab_out = tail.register_forward_hook(
        lambda _m, _args, out: residuals.append((out[0] if isinstance(out, tuple) else out).float() - inputs[-1])
    )
    try:
        _seeded_section(transformer, config, height, width, device, dtype)
    finally:
        grab_in.remove()
        grab_out.remove()
    ratios = [1.0]
    for prev, curr in zip(residuals, residuals[1:], strict=False):
        norm = torch.linalg.norm(curr, dim=-1) / (torch.linalg.norm(prev, dim=-1) + 1e-8)
        ratios.append(float(norm.mean()))
    return ratios


def _seeded_section(transformer, config, height, width, device, dtype) -> None:
    cfg = transformer.config
    g = torch.Generator().manual_seed(0)
    text_len = 8
    mask = torch.zeros(1, 2 * text_len, dtype=torch.bool)
    mask[:, :text_len] = True
    text = TextConditioning(
        torch.randn(1, 2 * text_len, cfg.text_embed_dim, generator=g) * mask[..., None],
        mask,
        torch.randn(1, cfg.pooled_projection_dim, generator=g),
    )
    cond = Conditioning(text=text, image_embeds=torch.randn(1, 16, cfg.image_proj_dim, generator=g))
    state = LoopState.start(torch.randn(1, cfg.in_channels, 1, height, width, generator=g))
    noise = draw_section_noise(g, cfg.in_channels, config, height, width)
    sample_section(transformer, state, cond, noise, config, device=device, dtype=dtype)
