"""Which preset, device, dtype and memory plan a render asks for, and the builder that makes that stack.

Three presets go through the same code path: ``tiny`` (seeded random weights built in code, for fast
tests; see ``tiny.py``), ``toy`` (the same classes at small sizes, trained here on synthetic motion and
shipped in the package: the CPU demo and the drift benchmark; see ``toy/``) and ``real`` (the released
FramePack F1 weights from the local Hugging Face cache; see ``real.py``).  Nothing is loaded at import:
``load_components`` is called on first render.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from . import real
from .components import Components
from .memory_plan import normalize_request
from .placement import place_components
from .speed import resolve_attention
from .tiny import build_tiny_components
from .toy import build_toy_components

BUILDERS = {"tiny": build_tiny_components, "toy": build_toy_components, "real": real.load_real_components}
PRESETS = tuple(BUILDERS)
PRESET_ENV = "FP_TIMELINE_F1_PRESET"


def resolve_preset(options: dict[str, Any], default: str | None = None) -> str:
    """``options["preset"]``, else the generator's own preset, else $FP_TIMELINE_F1_PRESET, else "tiny".

    "auto" (the CLI's default) means "real" when its weights are all in the local cache, else "toy".
    """
    preset = options.get("preset") or default or os.environ.get(PRESET_ENV) or "tiny"
    if preset == "auto":
        return "toy" if real.missing_weights() else "real"
    if preset not in PRESETS:
        choices = ", ".join((*PRESETS, "auto"))
        raise ValueError(f"unknown FramePack F1 preset {preset!r}; choose one of {choices}")
    return preset


def resolve_offload(options: dict[str, Any]) -> str:
    """The memory plan asked for: "auto" (default) chooses from free VRAM and RAM; see ``memory_plan``."""
    return normalize_request(options.get("offload"))


def resolve_placement(options: dict[str, Any]) -> dict[str, Any]:
    """How a stack is placed (``load_components``' keywords besides ``offload_root``), from the options:
    VAE tiling, memory plan, attention backend, regional compile.  Part of a loaded stack's cache key."""
    return {
        "vae_tiling": bool(options.get("vae_tiling", False)),
        "offload": resolve_offload(options),
        "attention": resolve_attention(options),
        "compile_blocks": bool(options.get("compile", False)),
    }


def resolve_device(options: dict[str, Any]) -> torch.device:
    name = options.get("device")
    if name is None:
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def resolve_dtype(options: dict[str, Any], device: torch.device) -> torch.dtype:
    """bf16 on CUDA (what the F1 checkpoint was trained in), float32 on CPU (bf16 matmuls are slow there)."""
    name = options.get("dtype")
    if name is None:
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    dtype = getattr(torch, str(name).removeprefix("torch."), None)
    if not isinstance(dtype, torch.dtype):
        raise ValueError(f"unknown dtype {name!r}")
    return dtype


def load_components(
    preset: str,
    device: torch.device,
    dtype: torch.dtype,
    *,
    vae_tiling: bool = False,
    offload: str = "auto",
    offload_root: Path | None = None,
    attention: str = "native",
    compile_blocks: bool = False,
) -> Components:
    """Build (tiny), load from the package (toy) or from the local cache (real) the whole stack, in eval mode,
    placed by the memory plan chosen for ``offload`` ("auto": from the free VRAM and host RAM)."""
    if preset not in BUILDERS:
        raise ValueError(f"unknown FramePack F1 preset {preset!r}")
    return place_components(
        BUILDERS[preset](device, dtype),
        vae_tiling=vae_tiling,
        offload=offload,
        offload_root=offload_root,
        attention=attention,
        compile_blocks=compile_blocks,
    )
