"""The toy preset's models: FramePack's classes at small sizes, untrained (``train.py`` trains them).

The text and image encoders are the tiny preset's seeded random ones, kept fixed: the transformer learns
what their outputs mean.  Their weights are saved with the checkpoint all the same, so the toy never
depends on how a library version initialises a model.
"""

from __future__ import annotations

import torch

from ..architecture import f1_transformer_config
from ..tiny import IMAGE_DIM, LATENT_CHANNELS, POOLED_DIM, TEXT_DIM

SEED = 2026
# Latent frames per training section: FramePack's default window, which the sample projects use.
WINDOW = 9
# A section of 9 latent frames is generated in one pass, and a pan moves each frame's content further from
# the anchor's: more blocks give the attention more hops to carry it.  2 + 6 (the first shipped toy had
# 2 + 2; train.warm_start grew it, so the extra depth is a choice, not a measured need).
DOUBLE_LAYERS, SINGLE_LAYERS = 2, 6
# 4 heads x 32: a token (a 2x2 patch of 16 latent channels) is 64 numbers, and a 64-wide model had no room
# beyond them to carry a pan's half-token shift; at 128 wide it learnt to (README: "Why the 64-wide ...").
HEADS, HEAD_DIM = 4, 32


def build_toy_transformer() -> torch.nn.Module:
    from diffusers import HunyuanVideoFramepackTransformer3DModel

    torch.manual_seed(SEED)
    return HunyuanVideoFramepackTransformer3DModel(
        **f1_transformer_config(
            heads=HEADS,
            head_dim=HEAD_DIM,
            layers=DOUBLE_LAYERS,
            single_layers=SINGLE_LAYERS,
            refiner_layers=1,
            text_dim=TEXT_DIM,
            pooled_dim=POOLED_DIM,
            image_dim=IMAGE_DIM,
            rope_axes=(8, 12, 12),  # time, height, width: sums to HEAD_DIM
        )
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


def build_toy_text_encoders() -> tuple[torch.nn.Module, torch.nn.Module]:
    """The tiny preset's Llama and CLIP (same classes and sizes), re-initialised so prompts are told apart.

    With their default init (weights ~0.02) the tiny encoders map every prompt to nearly the same
    features (pooled vectors at cosine 0.99), so no transformer can learn what a prompt means.  Unit
    embeddings and fan-in scaled linear layers keep each token's identity in the outputs.
    """
    from ..tiny import _build_text_encoders

    llama, clip = _build_text_encoders()
    generator = torch.Generator().manual_seed(0)  # of seeds 0-3 x scales 1-3, the best-separated pooled vectors
    with torch.no_grad():
        for module in (*llama.modules(), *clip.modules()):
            if isinstance(module, torch.nn.Embedding):
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator))
            elif isinstance(module, torch.nn.Linear):
                std = 2.0 * module.in_features**-0.5
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) * std)
    return llama.eval(), clip.eval()
