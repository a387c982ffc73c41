"""The toy preset's models: FramePack's classes at small sizes, untrained (``train.py`` trains them).

The text and image encoders are the tiny preset's seeded random ones, kept fixed: the transformer learns
what their outputs mean.  Their weights are saved with the checkpoint all the same, so the toy never
depends on how a library version initialises a model.
"""

from __future__ import annotations

import torch

from ..tiny import IMAGE_DIM, LATENT_CHANNELS, POOLED_DIM, TEXT_DIM

SEED = 2026
# Latent frames per training section: FramePack's default window, which the sample projects use.
WINDOW = 9


def build_toy_transformer() -> torch.nn.Module:
    from diffusers import HunyuanVideoFramepackTransformer3DModel

    torch.manual_seed(SEED)
    return HunyuanVideoFramepackTransformer3DModel(
        in_channels=LATENT_CHANNELS,
        out_channels=LATENT_CHANNELS,
        num_attention_heads=4,
        attention_head_dim=16,  # == sum(rope_axes_dim)
        num_layers=2,
        num_single_layers=2,
        num_refiner_layers=1,
        mlp_ratio=4.0,
        patch_size=2,
        patch_size_t=1,
        qk_norm="rms_norm",
        guidance_embeds=True,
        text_embed_dim=TEXT_DIM,
        pooled_projection_dim=POOLED_DIM,
        rope_theta=256.0,
        rope_axes_dim=(4, 6, 6),
        image_condition_type=None,
        has_image_proj=True,
        image_proj_dim=IMAGE_DIM,
        has_clean_x_embedder=True,
    )


def build_toy_vae(scaling_factor: float = 1.0) -> torch.nn.Module:
    from diffusers import AutoencoderKLHunyuanVideo

    torch.manual_seed(SEED + 1)
    return AutoencoderKLHunyuanVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=LATENT_CHANNELS,
        down_block_types=("HunyuanVideoDownBlock3D",) * 4,
        up_block_types=("HunyuanVideoUpBlock3D",) * 4,
        block_out_channels=(8, 16, 16, 16),
        layers_per_block=1,
        norm_num_groups=4,
        scaling_factor=scaling_factor,
        spatial_compression_ratio=8,
        temporal_compression_ratio=4,
        mid_block_add_attention=True,
    )
