"""The bridge's model stacks: F1's presets with the original FramePack transformer in ``real``.

``tiny`` and ``toy`` are F1's stacks as they are (same transformer class; their weights were made for F1's
forward sampling, so they test the code path, not the picture).  ``real`` is ``lllyasviel/FramePackI2V_HY``
(the original, inverted anti-drifting FramePack) with the HunyuanVideo VAE and encoders F1's real preset
loads, from the local Hugging Face cache only (``framepack_f1.real``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from fp_timeline_plugins.framepack_f1 import real
from fp_timeline_plugins.framepack_f1.components import Components
from fp_timeline_plugins.framepack_f1.placement import place_components
from fp_timeline_plugins.framepack_f1.tiny import TINY_MODEL_ID, build_tiny_components
from fp_timeline_plugins.framepack_f1.toy import build_toy_components, toy_model_id

BRIDGE_REPO = "lllyasviel/FramePackI2V_HY"
LABEL = "FramePack bridge"
PRESET_ENV = "FP_TIMELINE_BRIDGE_PRESET"
PRESETS = ("tiny", "toy", "real")


def resolve_preset(options: dict[str, Any], default: str | None = None) -> str:
    """``options["preset"]``, else the generator's own, else $FP_TIMELINE_BRIDGE_PRESET, else "tiny";
    "auto" is "real" when its weights are all cached, else "toy"."""
    preset = options.get("preset") or default or os.environ.get(PRESET_ENV) or "tiny"
    if preset == "auto":
        return "toy" if real.missing_weights(BRIDGE_REPO) else "real"
    if preset not in PRESETS:
        raise ValueError(f"unknown {LABEL} preset {preset!r}; choose one of {', '.join((*PRESETS, 'auto'))}")
    return preset


def model_id(preset: str) -> str:
    """What the preset's transformer is, without loading it (enters the take identity)."""
    if preset == "tiny":
        return TINY_MODEL_ID
    return toy_model_id() if preset == "toy" else BRIDGE_REPO


def load_real_bridge(device: torch.device, dtype: torch.dtype) -> Components:
    return real.load_real_components(device, dtype, transformer_repo=BRIDGE_REPO, label=LABEL)


BUILDERS = {"tiny": build_tiny_components, "toy": build_toy_components, "real": load_real_bridge}


def load_bridge_components(
    preset: str, device: torch.device, dtype: torch.dtype, offload_root: Path | None = None, **placement: Any
) -> Components:
    """Build or load the preset's stack and place it by the memory plan (``placement``: F1's options)."""
    return place_components(BUILDERS[preset](device, dtype), offload_root=offload_root, **placement)
