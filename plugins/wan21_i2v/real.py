"""The ``real`` preset: Wan 2.1 I2V in diffusers format from the local Hugging Face cache, never downloaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .config import CHECKPOINTS


def cached_checkpoint(checkpoint: str) -> Path | None:
    """The local snapshot folder of ``checkpoint`` (480p/720p), or None when it is not downloaded."""
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(CHECKPOINTS[checkpoint], local_files_only=True))
    except Exception:  # LocalEntryNotFoundError and friends: not in the cache
        return None


def missing_message(checkpoint: str) -> str:
    repo = CHECKPOINTS[checkpoint]
    return (
        f"Wan 2.1 I2V {checkpoint} weights are not in the local Hugging Face cache; fetch them with "
        f"`huggingface-cli download {repo}` (about 80 GB), or render with --preset tiny"
    )


def load_real_pipeline(checkpoint: str, device: torch.device, dtype: torch.dtype) -> Any:
    """The released pipeline, offline; the CLIP image encoder stays float32 as Wan's reference code keeps it."""
    from diffusers import WanImageToVideoPipeline
    from transformers import CLIPVisionModel

    folder = cached_checkpoint(checkpoint)
    if folder is None:
        raise FileNotFoundError(missing_message(checkpoint))
    encoder = CLIPVisionModel.from_pretrained(folder / "image_encoder", torch_dtype=torch.float32)
    pipe = WanImageToVideoPipeline.from_pretrained(folder, image_encoder=encoder, torch_dtype=dtype)
    if device.type == "cuda":
        pipe.enable_model_cpu_offload(device=device)  # 14B transformer + 6B UMT5: one at a time on the GPU
    else:
        pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    return pipe
