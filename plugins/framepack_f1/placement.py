"""Finish a built model stack: float32 output projection, VAE tiling, memory plan, placement and the speed
options (attention backend, regional compile).  Every preset's stack goes through here after its builder
(``presets.load_components``), and so does a toy checkpoint being trained (``toy.untrained_components``).
"""

from __future__ import annotations

from pathlib import Path

import torch

from .components import Components
from .memory_plan import ModelSizes, choose_plan
from .offload import KEEP_DTYPE
from .resources import probe, return_large_frees_to_os


def use_fp32_output_projection(transformer: torch.nn.Module) -> torch.nn.Module:
    """Run the final projection in float32 while the rest stays bf16, as FramePack's demo does
    (``high_quality_fp32_output_for_inference``): the velocity is then not rounded to bf16."""
    transformer.proj_out.to(torch.float32)
    setattr(transformer.proj_out, KEEP_DTYPE, True)
    transformer.proj_out.register_forward_pre_hook(lambda _module, args: tuple(a.float() for a in args))
    return transformer


def measured_sizes(components: Components) -> ModelSizes:
    """Bytes of each model as built (the tiny preset has no checkpoint files to measure)."""

    def size(*modules: torch.nn.Module) -> int:
        return sum(t.numel() * t.element_size() for m in modules for t in [*m.parameters(), *m.buffers()])

    return ModelSizes(
        transformer=size(components.transformer),
        text_encoders=size(*components.load_text_encoders()),
        others=size(components.vae, components.image_encoder),
    )


def place_components(
    components: Components,
    *,
    vae_tiling: bool = False,
    offload: str = "auto",
    offload_root: Path | None = None,
    attention: str = "native",
    compile_blocks: bool = False,
) -> Components:
    """Finish a built stack: output projection, VAE tiling, memory plan, placement (``load_components``'s
    second half, also for a stack built elsewhere, such as a toy checkpoint being trained)."""
    device, dtype = components.device, components.dtype
    if dtype != torch.float32:
        use_fp32_output_projection(components.transformer)
        if components.load_transformer is not None:
            load = components.load_transformer
            components.load_transformer = lambda: use_fp32_output_projection(load())
    if vae_tiling:
        components.vae.enable_tiling()
    components.sizes = components.sizes or measured_sizes(components)
    components.offload_root = offload_root
    components.plan = choose_plan(probe(device), components.sizes, offload)
    return_large_frees_to_os()
    components.place_models()
    _speed_options(components, attention, compile_blocks)
    return components


def _speed_options(components: Components, attention: str, compile_blocks: bool) -> None:
    """Attention backend and regional compile, applied to the transformer now and whenever it is reloaded.

    The reload hook captures plain values, not ``components``: a cycle through it kept released models alive.
    """
    from . import speed

    compile_now = compile_blocks and speed.compile_note({"compile": True}, components.device, components.plan) is None

    def apply(transformer: torch.nn.Module) -> torch.nn.Module:
        speed.use_attention(transformer, attention)
        if compile_now:
            speed.compile_blocks(transformer)
        return transformer

    apply(components.transformer)
    if components.load_transformer is not None:
        load = components.load_transformer
        components.load_transformer = lambda: apply(load())
