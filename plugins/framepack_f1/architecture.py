"""FramePack F1's transformer architecture: what every F1 model shares, and the few numbers that size it.

The tiny and toy presets and the benchmarks' stand-ins for the real model build the same class from this one
spelling, so "architecture-exact" holds by construction: only width and depth differ from the released
checkpoint (whose own ``config.json`` has the real sizes).
"""

from __future__ import annotations

from typing import Any

LATENT_CHANNELS = 16  # HunyuanVideo's VAE; F1 requires it

# What F1 fixes: the patching, the norms, distilled guidance, image conditioning and the history path.
_SHARED: dict[str, Any] = {
    "in_channels": LATENT_CHANNELS,
    "out_channels": LATENT_CHANNELS,
    "mlp_ratio": 4.0,
    "patch_size": 2,
    "patch_size_t": 1,
    "qk_norm": "rms_norm",
    "guidance_embeds": True,
    "rope_theta": 256.0,
    "image_condition_type": None,
    "has_image_proj": True,  # F1 always conditions on the start image
    "has_clean_x_embedder": True,  # the packed-history path
}


def f1_transformer_config(
    *,
    heads: int,
    head_dim: int,
    layers: int,
    single_layers: int,
    refiner_layers: int,
    text_dim: int,
    pooled_dim: int,
    image_dim: int,
    rope_axes: tuple[int, int, int],
) -> dict[str, Any]:
    """Keyword arguments for ``HunyuanVideoFramepackTransformer3DModel`` at the given size."""
    if head_dim != sum(rope_axes):
        raise ValueError(f"head_dim {head_dim} must equal the sum of rope_axes {rope_axes}")
    return {
        **_SHARED,
        "num_attention_heads": heads,
        "attention_head_dim": head_dim,
        "num_layers": layers,
        "num_single_layers": single_layers,
        "num_refiner_layers": refiner_layers,
        "text_embed_dim": text_dim,
        "pooled_projection_dim": pooled_dim,
        "image_proj_dim": image_dim,
        "rope_axes_dim": rope_axes,
    }
