"""The ``tiny`` preset: Wan 2.1 I2V's exact model classes at toy sizes, seeded random weights, built in code.

Sizes follow diffusers' own Wan I2V pipeline tests (text dim 32, image dim 4, 16 latent channels); the
tokenizer is built from a character vocabulary so nothing is downloaded.
"""

from __future__ import annotations

from typing import Any

import torch

TINY_MODEL_ID = "fp_timeline/tiny-wan21-i2v@1"
TEXT_DIM = 32
IMAGE_DIM = 4
SEED = 2100


def build_tokenizer() -> Any:
    from transformers import LlamaTokenizerFast

    vocab: dict[str, int] = {}
    for token in ["<pad>", "</s>", "<unk>", *(chr(c) for c in range(32, 127))]:
        vocab.setdefault(token, len(vocab))
    return LlamaTokenizerFast(
        vocab=vocab,
        merges=[],
        unk_token="<unk>",
        eos_token="</s>",
        pad_token="<pad>",
        add_bos_token=False,
        padding_side="right",
    )


def build_text_encoder() -> torch.nn.Module:
    from transformers import UMT5Config, UMT5EncoderModel

    torch.manual_seed(SEED)
    config = UMT5Config(
        vocab_size=128, d_model=TEXT_DIM, d_kv=8, d_ff=37, num_layers=2, num_heads=4, relative_attention_num_buckets=8
    )
    return UMT5EncoderModel(config).eval()


def build_image_encoder() -> tuple[torch.nn.Module, Any]:
    from transformers import CLIPVisionConfig, CLIPVisionModel

    try:  # transformers 5 without torchvision: the PIL processor, named directly (no fallback warning)
        from transformers import CLIPImageProcessorPil as CLIPImageProcessor
    except ImportError:
        from transformers import CLIPImageProcessor

    torch.manual_seed(SEED + 1)
    config = CLIPVisionConfig(
        hidden_size=IMAGE_DIM,
        projection_dim=IMAGE_DIM,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=32,
        intermediate_size=16,
        patch_size=4,
    )
    return CLIPVisionModel(config).eval(), CLIPImageProcessor(crop_size=32, size=32)


def build_transformer() -> torch.nn.Module:
    from diffusers import WanTransformer3DModel

    torch.manual_seed(SEED + 2)
    model = WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=36,  # 16 noisy latents + 4 mask + 16 image-condition latents
        out_channels=16,
        text_dim=TEXT_DIM,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
        image_dim=IMAGE_DIM,
    )
    # Default init zeroes the output projection and leaves norms at 1: perturb them so frames respond.
    with torch.no_grad():
        for p in model.parameters():
            if p.numel() > 1 and bool((p == p.flatten()[0]).all()):
                p.add_(0.1 * torch.randn_like(p))
    return model.eval()


def build_vae() -> torch.nn.Module:
    from diffusers import AutoencoderKLWan

    torch.manual_seed(SEED + 3)
    return AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    ).eval()


def build_tiny_pipeline(device: torch.device, dtype: torch.dtype) -> Any:
    from diffusers import FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline

    image_encoder, image_processor = build_image_encoder()
    pipe = WanImageToVideoPipeline(
        tokenizer=build_tokenizer(),
        text_encoder=build_text_encoder(),
        vae=build_vae(),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0),
        image_processor=image_processor,
        image_encoder=image_encoder,
        transformer=build_transformer(),
    )
    pipe.set_progress_bar_config(disable=True)
    pipe.to(device)
    return pipe if dtype == torch.float32 else pipe.to(dtype=dtype)  # skip a no-op cast (diffusers warns)
