"""The ``real`` preset: the released FramePack F1 weights, from the local Hugging Face cache only.

Nothing is downloaded: a missing piece raises ``MissingWeightsError`` naming every repo/subfolder to fetch
and the cache folder they must land in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from .components import Components, PromptTemplate, siglip_image_processor_class
from .memory_plan import ModelSizes

TRANSFORMER_REPO = "lllyasviel/FramePack_F1_I2V_HY_20250503"
HUNYUAN_REPO = "hunyuanvideo-community/HunyuanVideo"
REDUX_REPO = "lllyasviel/flux_redux_bfl"
# (repo, subfolder) pairs the real preset reads; "" is the repo root.
REQUIRED = (
    (TRANSFORMER_REPO, ""),
    (HUNYUAN_REPO, "vae"),
    (HUNYUAN_REPO, "text_encoder"),
    (HUNYUAN_REPO, "text_encoder_2"),
    (HUNYUAN_REPO, "tokenizer"),
    (HUNYUAN_REPO, "tokenizer_2"),
    (REDUX_REPO, "image_encoder"),
    (REDUX_REPO, "feature_extractor"),
)
REAL_MODEL_ID = TRANSFORMER_REPO
# HunyuanVideo's Llama-3 system prompt; its 95 tokens are cropped off the features (FramePack, diffusers).
HUNYUAN_TEMPLATE = PromptTemplate(
    template=(
        "<|start_header_id|>system<|end_header_id|>\n\nDescribe the video by detailing the following aspects: "
        "1. The main content and theme of the video."
        "2. The color, shape, size, texture, quantity, text, and spatial relationships of the objects."
        "3. Actions, events, behaviors temporal relationships, physical movement changes of the objects."
        "4. background environment, light, style and atmosphere."
        "5. camera angles, movements, and transitions used in the video:<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\n{}<|eot_id|>"
    ),
    crop_start=95,
    max_tokens=256,
    pad_to=512,
)


class MissingWeightsError(RuntimeError):
    """The real preset's weights are not in the local Hugging Face cache."""


def hub_cache_dir() -> Path:
    """Where huggingface_hub looks: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub."""
    from huggingface_hub import constants

    return Path(os.environ.get("HF_HUB_CACHE") or constants.HF_HUB_CACHE)


def _snapshot(repo: str) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo, local_files_only=True, cache_dir=hub_cache_dir()))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):
        return None


def required(transformer_repo: str = TRANSFORMER_REPO) -> tuple[tuple[str, str], ...]:
    """(repo, subfolder) pairs a real stack with this transformer reads (the bridge's differs from F1's)."""
    return ((transformer_repo, ""), *(piece for piece in REQUIRED if piece[0] != TRANSFORMER_REPO))


def missing_weights(transformer_repo: str = TRANSFORMER_REPO) -> list[str]:
    """``repo[/subfolder]`` for every required piece absent from the local cache."""
    missing = []
    snapshots: dict[str, Path | None] = {}
    for repo, sub in required(transformer_repo):
        if repo not in snapshots:
            snapshots[repo] = _snapshot(repo)
        root = snapshots[repo]
        if root is None or not (root / sub).is_dir() or (sub and not any((root / sub).iterdir())):
            missing.append(f"{repo}/{sub}" if sub else repo)
    return missing


def check_real_weights(transformer_repo: str = TRANSFORMER_REPO, label: str = "FramePack F1") -> None:
    """Raise one ``MissingWeightsError`` listing everything to download, or return if all is cached."""
    missing = missing_weights(transformer_repo)
    if missing:
        lines = "\n".join(f"  - {m}" for m in missing)
        raise MissingWeightsError(
            f"{label} 'real' preset: these weights are not in the local Hugging Face cache "
            f"({hub_cache_dir()}; set HF_HUB_CACHE or HF_HOME to use another):\n{lines}\n"
            f"Download them, e.g. `huggingface-cli download {transformer_repo}`, "
            "`huggingface-cli download hunyuanvideo-community/HunyuanVideo --include 'vae/*' 'text_encoder/*' "
            "'text_encoder_2/*' 'tokenizer/*' 'tokenizer_2/*'`, `huggingface-cli download "
            "lllyasviel/flux_redux_bfl --include 'image_encoder/*' 'feature_extractor/*'`; "
            "or use the 'tiny' or 'toy' preset (--preset, or FP_TIMELINE_F1_PRESET=tiny for F1)."
        )


SAFETENSORS_DTYPES = {"BF16": torch.bfloat16, "F16": torch.float16, "F32": torch.float32}


def _stored_dtype(folder: Path) -> torch.dtype:
    from .weights import stored_dtype_name

    return SAFETENSORS_DTYPES.get(stored_dtype_name(folder) or "", torch.bfloat16)


def real_sizes(transformer_repo: str = TRANSFORMER_REPO) -> ModelSizes:
    """Bytes of the real models as cached, or their published sizes where they are not cached."""
    from .weights import REAL_SIZES, folder_bytes

    def measured(*pieces: tuple[str, str]) -> int:
        folders = [(_snapshot(repo) or Path("/nonexistent")) / sub for repo, sub in pieces]
        return sum(folder_bytes(f) for f in folders if f.is_dir())

    transformer = measured((transformer_repo, ""))
    text = measured((HUNYUAN_REPO, "text_encoder"), (HUNYUAN_REPO, "text_encoder_2"))
    others = measured((HUNYUAN_REPO, "vae"), (REDUX_REPO, "image_encoder"))
    return ModelSizes(
        transformer=transformer or REAL_SIZES["transformer"],
        text_encoders=text or REAL_SIZES["text_encoders"],
        others=others or REAL_SIZES["others"],
    )


def load_real_components(
    device: torch.device, dtype: torch.dtype, transformer_repo: str = TRANSFORMER_REPO, label: str = "FramePack F1"
) -> Components:
    """Load every real model from the cache (offline, safetensors only) onto the CPU.

    ``transformer_repo``: F1's by default; the bridge passes the original FramePack's (same class, same
    VAE and encoders).

    The transformer and Llama stay in their stored dtype, backed by the mmapped files (their blocks are
    converted to the compute dtype as they run: ``offload.cast_per_block``); the small models are loaded
    in the encoders' compute dtype directly.
    """
    from .weights import checkpoint_id

    check_real_weights(transformer_repo, label)
    offline = {"local_files_only": True, "cache_dir": hub_cache_dir()}
    # Encoders and VAE in fp16 on GPU like FramePack; the small ones float32 on CPU.
    aux_dtype = torch.float16 if device.type == "cuda" else torch.float32
    transformer_dir = _snapshot(transformer_repo)
    llama_dir = _snapshot(HUNYUAN_REPO) / "text_encoder"
    load_transformer = _transformer_loader(transformer_repo, transformer_dir, offline)
    return Components(
        preset="real",
        model_id=transformer_repo,
        device=device,
        dtype=dtype,
        **_small_models(offline, aux_dtype),
        transformer=load_transformer(),
        prompt_template=HUNYUAN_TEMPLATE,
        load_text_encoders=_text_encoders_loader(llama_dir, offline, aux_dtype),
        load_transformer=load_transformer,
        sizes=real_sizes(transformer_repo),
        checkpoint_id=f"{checkpoint_id(transformer_dir)}|{dtype}",
        text_checkpoint_id=f"{checkpoint_id(llama_dir)}|{aux_dtype}",
    )


def _transformer_loader(repo: str, folder: Path, offline: dict) -> Callable[[], torch.nn.Module]:
    """Loads the transformer in its stored dtype (again after a memory plan released it)."""
    from diffusers import HunyuanVideoFramepackTransformer3DModel

    def load_transformer() -> torch.nn.Module:
        return HunyuanVideoFramepackTransformer3DModel.from_pretrained(
            repo, torch_dtype=_stored_dtype(folder), use_safetensors=True, **offline
        ).eval()

    return load_transformer


def _text_encoders_loader(
    llama_dir: Path, offline: dict, aux_dtype: torch.dtype
) -> Callable[[], tuple[torch.nn.Module, torch.nn.Module]]:
    """Loads Llama (stored dtype) and CLIP text (``aux_dtype``) when a prompt needs encoding."""

    def load_text_encoders() -> tuple[torch.nn.Module, torch.nn.Module]:
        from transformers import CLIPTextModel, LlamaModel

        llama = LlamaModel.from_pretrained(
            HUNYUAN_REPO,
            subfolder="text_encoder",
            torch_dtype=_stored_dtype(llama_dir),
            use_safetensors=True,
            **offline,
        )
        clip = CLIPTextModel.from_pretrained(
            HUNYUAN_REPO, subfolder="text_encoder_2", torch_dtype=aux_dtype, use_safetensors=True, **offline
        )
        return llama.eval(), clip.eval()

    return load_text_encoders


def _small_models(offline: dict, aux_dtype: torch.dtype) -> dict[str, Any]:
    """The VAE, SigLIP with its processor and both tokenizers, loaded now (``Components`` fields)."""
    from diffusers import AutoencoderKLHunyuanVideo
    from transformers import CLIPTokenizer, LlamaTokenizerFast, SiglipVisionModel

    vae = AutoencoderKLHunyuanVideo.from_pretrained(
        HUNYUAN_REPO, subfolder="vae", torch_dtype=aux_dtype, use_safetensors=True, **offline
    )
    image_encoder = SiglipVisionModel.from_pretrained(
        REDUX_REPO, subfolder="image_encoder", torch_dtype=aux_dtype, use_safetensors=True, **offline
    )
    siglip_processor = siglip_image_processor_class()
    feature_extractor = siglip_processor.from_pretrained(REDUX_REPO, subfolder="feature_extractor", **offline)
    tokenizer = LlamaTokenizerFast.from_pretrained(HUNYUAN_REPO, subfolder="tokenizer", **offline)
    tokenizer.padding_side = "right"  # FramePack keeps the first mask.sum() tokens
    tokenizer_2 = CLIPTokenizer.from_pretrained(HUNYUAN_REPO, subfolder="tokenizer_2", **offline)
    return {
        "vae": vae.eval(),
        "image_encoder": image_encoder.eval(),
        "feature_extractor": feature_extractor,
        "tokenizer": tokenizer,
        "tokenizer_2": tokenizer_2,
    }
