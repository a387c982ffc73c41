"""A ~300 M-parameter FramePack F1 transformer for the CPU benchmarks, and one section's inputs.

The real model's shapes scaled down in width only: head dim 128 and the real RoPE axes, 16 double and
32 single blocks (the real one has 20 and 40), the real text (4096), pooled (768) and SigLIP (1152)
widths; 4 heads instead of 24.  Random weights, saved in bf16 like the released checkpoint, laid out
like the Hugging Face cache (``snapshots/<rev>/...`` symlinked to ``blobs/<sha256>``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import torch

from fp_timeline_plugins.framepack_f1.architecture import f1_transformer_config

CONFIG = f1_transformer_config(
    heads=4,
    head_dim=128,
    layers=16,
    single_layers=32,
    refiner_layers=2,
    text_dim=4096,
    pooled_dim=768,
    image_dim=1152,
    rope_axes=(16, 56, 56),
)
REPO = "models--fp-timeline--framepack-f1-300m"
REVISION = "0" * 40


def build(seed: int = 0) -> torch.nn.Module:
    from diffusers import HunyuanVideoFramepackTransformer3DModel

    torch.manual_seed(seed)
    return HunyuanVideoFramepackTransformer3DModel(**CONFIG).eval()


def write_hf_layout(root: Path, seed: int = 0) -> Path:
    """Save the model in bf16 under ``root`` as the HF cache does; returns the snapshot folder."""
    snapshot = root / REPO / "snapshots" / REVISION
    if (snapshot / "config.json").is_file():
        return snapshot
    staging = root / "staging"
    build(seed).to(torch.bfloat16).save_pretrained(staging, safe_serialization=True)
    blobs = root / REPO / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for path in sorted(staging.iterdir()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        path.replace(blobs / digest)
        os.symlink(os.path.relpath(blobs / digest, snapshot), snapshot / path.name)
    staging.rmdir()
    return snapshot


def checkpoint_bytes(snapshot: Path) -> int:
    return sum(p.stat().st_size for p in snapshot.glob("*.safetensors"))


def section_inputs(height: int = 8, width: int = 8, text_tokens: int = 16, seed: int = 0):
    """(state, conditioning, noise) for one F1 section at a small latent size, float32 on the CPU."""
    from fp_timeline_plugins.framepack_f1.loop import Conditioning, LoopState, TextConditioning

    g = torch.Generator().manual_seed(seed)
    anchor = torch.randn(1, 16, 1, height, width, generator=g)
    embeds = torch.zeros(1, 32, CONFIG["text_embed_dim"])
    embeds[:, :text_tokens] = torch.randn(1, text_tokens, CONFIG["text_embed_dim"], generator=g)
    mask = torch.zeros(1, 32, dtype=torch.bool)
    mask[:, :text_tokens] = True
    text = TextConditioning(embeds, mask, torch.randn(1, CONFIG["pooled_projection_dim"], generator=g))
    image = torch.randn(1, 16, CONFIG["image_proj_dim"], generator=g)
    return LoopState.start(anchor), Conditioning(text=text, image_embeds=image), g


def describe(model: torch.nn.Module) -> str:
    return json.dumps({"params_m": round(sum(p.numel() for p in model.parameters()) / 1e6, 1)})
