"""Speed options that do not change the recipe: the attention backend and regional ``torch.compile``.

The attention backend goes through diffusers' attention dispatcher (``native`` is PyTorch SDPA; ``flash``,
``_flash_3``, ``sage``, ``xformers`` where their package is installed).  Backends that download kernels
from the Hub are refused: nothing is downloaded at render time.  ``compile`` compiles each transformer
block on its own (regional compilation: one compile per block class, reused by all 60 blocks); only on
CUDA, and only when the blocks stay on the GPU (the ``gpu`` plan) — offload hooks move weights between
calls, which a compiled graph does not expect.
"""

from __future__ import annotations

from typing import Any

import torch

from .memory_plan import MemoryPlan

NATIVE = "native"


def resolve_attention(options: dict[str, Any]) -> str:
    """The attention backend asked for ("native" by default); a clear error if unknown or not installed."""
    from diffusers.models.attention_dispatch import AttentionBackendName, _check_attention_backend_requirements

    name = str(options.get("attention") or NATIVE).lower()
    local = sorted(b.value for b in AttentionBackendName if not b.value.endswith("_hub"))
    if name not in local:
        raise ValueError(f"unknown attention backend {name!r}; choose one of {', '.join(local)}")
    try:
        _check_attention_backend_requirements(AttentionBackendName(name))
    except (RuntimeError, ImportError) as err:
        raise ValueError(f"attention backend {name!r} is not usable here: {err}") from None
    return name


def use_attention(transformer: torch.nn.Module, name: str) -> None:
    """Pin ``name`` on this transformer's attention processors, and only there.

    diffusers' ``set_attention_backend`` also makes the backend the process-wide default, which every later
    model would silently inherit (a long-lived window, or the next render with default options, would compute
    with another kernel and give other numbers), so the default is put back.
    """
    from diffusers.models.attention_dispatch import _AttentionBackendRegistry

    previous = _AttentionBackendRegistry._active_backend
    try:
        transformer.set_attention_backend(name)
    finally:
        _AttentionBackendRegistry.set_active_backend(previous)


def compile_note(options: dict[str, Any], device: torch.device, plan: MemoryPlan) -> str | None:
    """Why ``compile`` will not be used, or None when it will (or was not asked for)."""
    if not options.get("compile"):
        return None
    if device.type != "cuda":
        return "compile: skipped (only on CUDA)"
    if plan.name != "gpu":
        return f"compile: skipped (the {plan.name} plan moves weights between calls)"
    return None


def compile_blocks(transformer: torch.nn.Module) -> int:
    """Regional compilation: each block compiled on its own; returns how many."""
    blocks = [*transformer.transformer_blocks, *transformer.single_transformer_blocks]
    for block in blocks:
        block.compile(dynamic=False)
    return len(blocks)
