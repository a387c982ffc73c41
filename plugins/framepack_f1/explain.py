"""What ``fp-timeline doctor`` and ``render --explain`` print for this generator: the memory plan a render
would use on this machine, and why, without loading a model."""

from __future__ import annotations

from typing import Any

from .memory_plan import GB, ModelSizes, choose_plan, format_bytes


def tiny_sizes() -> ModelSizes:
    """The tiny preset's sizes, measured from its models (built in code in well under a second)."""
    import torch

    from .placement import measured_sizes
    from .tiny import build_tiny_components

    return measured_sizes(build_tiny_components(torch.device("cpu"), torch.float32))


def explain_plan(options: dict[str, Any], default_preset: str | None = None) -> str:
    from .presets import resolve_device, resolve_dtype, resolve_offload, resolve_preset
    from .resources import probe, resolve_threads

    preset = resolve_preset(options, default_preset)
    device = resolve_device(options)
    dtype = resolve_dtype(options, device)
    if preset == "real":
        from .real import missing_weights, real_sizes

        sizes, missing = real_sizes(), missing_weights()
    else:
        sizes, missing = tiny_sizes(), []
    resources = probe(device)
    plan = choose_plan(resources, sizes, resolve_offload(options))
    lines = [
        f"preset: {preset}" + (f" ({len(missing)} pieces not cached: published sizes used)" if missing else ""),
        f"device: {device}, compute dtype {str(dtype).removeprefix('torch.')}",
        f"host RAM: {resources.free_ram / GB:.1f} GB free of {resources.total_ram / GB:.1f} GB",
    ]
    if device.type == "cuda":
        lines.append(f"VRAM: {resources.free_vram / GB:.1f} GB free of {resources.total_vram / GB:.1f} GB")
    else:
        lines.append(f"CPU threads: {resolve_threads(options)} of {resources.cpus}")
    lines.append(
        f"models as stored: transformer {format_bytes(sizes.transformer)}, "
        f"text encoders {format_bytes(sizes.text_encoders)}, VAE + image encoder {format_bytes(sizes.others)}"
    )
    lines.append(plan.explain())
    from .speed import compile_note, resolve_attention

    lines.append(f"attention backend: {resolve_attention(options)}")
    note = compile_note(options, device, plan)
    if options.get("compile"):
        lines.append(note or "compile: each transformer block compiled on its own (regional)")
    return "\n".join(lines)
