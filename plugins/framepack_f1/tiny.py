"""The ``tiny`` preset: FramePack's model classes at toy sizes, seeded random weights, local tokenizers.

Same classes as the real preset, so every code path (history packing, VAE, text and image encoders) is
exercised on a CPU in seconds.  Dimensions follow ``../shared/reference_f1``'s tiny transformer; latents
have 16 channels because FramePack's clean-latent path assumes 16.
"""

from __future__ import annotations

from typing import Any

import torch

from .architecture import LATENT_CHANNELS, f1_transformer_config
from .components import Components, PromptTemplate, siglip_image_processor_class

TINY_MODEL_ID = "fp_timeline/tiny-framepack-f1@1"
TEXT_DIM = 16  # Llama hidden size == transformer.text_embed_dim
POOLED_DIM = 8  # CLIP text hidden size == transformer.pooled_projection_dim
IMAGE_DIM = 32  # SigLIP hidden size == transformer.image_proj_dim
SEED = 1234
# No Llama-3 system prompt at this size: the tiny tokenizer has no special header tokens to crop.
TINY_TEMPLATE = PromptTemplate(template="{}", crop_start=0, max_tokens=32, pad_to=32)


def _vocab(specials: list[str]) -> dict[str, int]:
    """Special tokens, then one token per printable ASCII character (no merges needed)."""
    vocab: dict[str, int] = {}
    for token in [*specials, *(chr(c) for c in range(32, 127)), "\n"]:
        vocab.setdefault(token, len(vocab))
    return vocab


def build_llama_tokenizer() -> Any:
    from transformers import LlamaTokenizerFast

    # transformers 5 pads Llama on the LEFT by default; FramePack keeps the first mask.sum() tokens, i.e.
    # assumes RIGHT padding.  Passed to the constructor so it survives save/load.
    return LlamaTokenizerFast(
        vocab=_vocab(["<unk>", "<s>", "</s>", "<pad>", "\u2581"]),
        merges=[],
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        padding_side="right",
    )


def build_clip_tokenizer() -> Any:
    from transformers import CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    # CLIP's BPE is byte level: give every byte symbol (and its end-of-word form) a token.
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for symbol in bytes_to_unicode().values():
        vocab.setdefault(symbol, len(vocab))
        vocab.setdefault(symbol + "</w>", len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=[])


def _build_text_encoders() -> tuple[torch.nn.Module, torch.nn.Module]:
    from transformers import CLIPTextConfig, CLIPTextModel, LlamaConfig, LlamaModel

    torch.manual_seed(SEED + 1)
    llama = LlamaModel(
        LlamaConfig(
            bos_token_id=1,
            eos_token_id=2,
            pad_token_id=3,
            hidden_size=TEXT_DIM,
            intermediate_size=37,
            num_attention_heads=4,
            num_key_value_heads=4,
            num_hidden_layers=3,  # hidden_states[-3] must exist
            vocab_size=128,
            max_position_embeddings=512,
            hidden_act="silu",
        )
    )
    torch.manual_seed(SEED + 2)
    clip = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
            hidden_size=POOLED_DIM,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            vocab_size=600,
            max_position_embeddings=77,
            projection_dim=32,
        )
    )
    return llama.eval(), clip.eval()


def build_tiny_transformer() -> torch.nn.Module:
    from diffusers import HunyuanVideoFramepackTransformer3DModel

    torch.manual_seed(SEED)
    model = HunyuanVideoFramepackTransformer3DModel(
        **f1_transformer_config(
            heads=2,
            head_dim=10,
            layers=1,
            single_layers=1,
            refiner_layers=1,
            text_dim=TEXT_DIM,
            pooled_dim=POOLED_DIM,
            image_dim=IMAGE_DIM,
            rope_axes=(2, 4, 4),
        )
    )
    # Default init leaves norms at exactly 1/0; perturb them so a wrong key mapping cannot hide.
    with torch.no_grad():
        for p in model.parameters():
            if p.numel() > 1 and bool((p == p.flatten()[0]).all()):
                p.add_(0.1 * torch.randn_like(p))
    return model.eval()


def build_tiny_vae() -> torch.nn.Module:
    from diffusers import AutoencoderKLHunyuanVideo

    torch.manual_seed(SEED + 3)
    return AutoencoderKLHunyuanVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=LATENT_CHANNELS,
        down_block_types=("HunyuanVideoDownBlock3D",) * 4,
        up_block_types=("HunyuanVideoUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8),
        layers_per_block=1,
        norm_num_groups=4,
        scaling_factor=0.476986,
        spatial_compression_ratio=8,
        temporal_compression_ratio=4,
        mid_block_add_attention=True,
    ).eval()


def build_tiny_image_encoder() -> tuple[torch.nn.Module, Any]:
    from transformers import SiglipVisionConfig, SiglipVisionModel

    torch.manual_seed(SEED + 4)
    encoder = SiglipVisionModel(
        SiglipVisionConfig(
            hidden_size=IMAGE_DIM,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            image_size=32,
            patch_size=8,
        )
    )
    return encoder.eval(), siglip_image_processor_class()(size={"height": 32, "width": 32})


def _as_dtype(model: torch.nn.Module, dtype: torch.dtype) -> torch.nn.Module:
    # Skip a no-op cast: diffusers warns about casting with .to() even when nothing changes.
    return model if dtype == torch.float32 else model.to(dtype)


def build_tiny_components(device: torch.device, dtype: torch.dtype) -> Components:
    """The whole tiny stack on the CPU; identical weights in every process (seeded)."""
    image_encoder, feature_extractor = build_tiny_image_encoder()

    def load_transformer() -> torch.nn.Module:
        return _as_dtype(build_tiny_transformer(), dtype)

    return Components(
        preset="tiny",
        model_id=TINY_MODEL_ID,
        device=device,
        dtype=dtype,
        transformer=load_transformer(),
        vae=_as_dtype(build_tiny_vae(), dtype),
        image_encoder=image_encoder,
        feature_extractor=feature_extractor,
        tokenizer=build_llama_tokenizer(),
        tokenizer_2=build_clip_tokenizer(),
        prompt_template=TINY_TEMPLATE,
        load_text_encoders=_build_text_encoders,
        load_transformer=load_transformer,
        checkpoint_id=f"{TINY_MODEL_ID}|{dtype}",  # built in code from a fixed seed
        text_checkpoint_id=f"{TINY_MODEL_ID}|text",
    )
