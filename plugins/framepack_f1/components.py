"""The model stack one render needs, and how to choose device, dtype and preset.

Three presets go through the same code path: ``tiny`` (seeded random weights built in code, for fast
tests; see ``tiny.py``), ``toy`` (the same classes at small sizes, trained here on synthetic motion and
shipped in the package, for the CPU demo and the drift benchmark; see ``toy/``) and ``real`` (the released
FramePack F1 weights from the local Hugging Face cache; see ``real.py``).  Nothing is loaded at import:
``load_components`` is called on first render.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch

PRESETS = ("tiny", "toy", "real")
OFFLOAD_MODES = ("none", "model", "sequential")
PRESET_ENV = "FP_TIMELINE_F1_PRESET"


@dataclass(frozen=True)
class PromptTemplate:
    """How a prompt is wrapped for the Llama encoder, and how many leading tokens to drop afterwards."""

    template: str = "{}"
    crop_start: int = 0
    max_tokens: int = 256  # prompt tokens kept after the crop
    pad_to: int = 512  # FramePack pads the Llama features to a fixed length with a mask


@dataclass
class Components:
    """Models of one preset on one device.  Text encoders may be freed after use and reloaded lazily.

    Builders return every model on the CPU; ``place_models`` then puts them where ``offload`` says:
    "none" on the device for good; "model" on the CPU, each moved to the device only while it runs
    (``on_device``); "sequential" like "model", but the transformer and Llama stream their weights layer
    by layer (accelerate's ``cpu_offload``), for GPUs smaller than those models.
    """

    preset: str
    model_id: str  # written into contexts: a context is refused by another model
    device: torch.device
    dtype: torch.dtype  # transformer compute dtype
    transformer: torch.nn.Module
    vae: torch.nn.Module
    image_encoder: torch.nn.Module
    feature_extractor: Any
    tokenizer: Any
    tokenizer_2: Any
    prompt_template: PromptTemplate
    load_text_encoders: Callable[[], tuple[torch.nn.Module, torch.nn.Module]]
    text_encoders: tuple[torch.nn.Module, torch.nn.Module] | None = field(default=None, repr=False)
    offload: str = "none"
    _streamed: set[int] = field(default_factory=set, repr=False)  # ids of modules with accelerate hooks

    @property
    def latent_channels(self) -> int:
        return int(self.transformer.config.in_channels)

    @property
    def dtype_name(self) -> str:
        return str(self.dtype).removeprefix("torch.")

    @property
    def identity(self) -> str:
        """Model, dtype and device: besides the inputs, what decides an encoding's or a section's numbers."""
        return f"{self.model_id}|{self.dtype_name}|{self.device}"

    def place_models(self) -> None:
        """Put the resident models where the offload mode wants them (see the class docstring)."""
        self._place(self.transformer, stream=True)
        self._place(self.vae)
        self._place(self.image_encoder)

    def _place(self, module: torch.nn.Module, stream: bool = False) -> None:
        if self.offload == "none":
            module.to(self.device)
        elif self.offload == "sequential" and stream and self.device.type == "cuda":
            from accelerate import cpu_offload

            cpu_offload(module, execution_device=self.device)
            self._streamed.add(id(module))

    @contextmanager
    def on_device(self, *modules: torch.nn.Module) -> Iterator[None]:
        """Run with ``modules`` on the compute device; offloaded ones go back to the CPU afterwards."""
        moved = [m for m in modules if self.offload != "none" and id(m) not in self._streamed]
        for module in moved:
            module.to(self.device)
        try:
            yield
        finally:
            for module in moved:
                module.to("cpu")
            if moved and self.device.type == "cuda":
                torch.cuda.empty_cache()

    def get_text_encoders(self) -> tuple[torch.nn.Module, torch.nn.Module]:
        if self.text_encoders is None:
            llama, clip = self.load_text_encoders()
            self._place(llama, stream=True)
            self._place(clip)
            self.text_encoders = (llama, clip)
        return self.text_encoders

    def free_text_encoders(self) -> None:
        """Drop the text encoders (the Llama one is 8B params in the real preset)."""
        for module in self.text_encoders or ():
            self._streamed.discard(id(module))
        self.text_encoders = None
        if self.device.type == "cuda":
            torch.cuda.empty_cache()


def resolve_preset(options: dict[str, Any], default: str | None = None) -> str:
    """``options["preset"]``, else the generator's own preset, else $FP_TIMELINE_F1_PRESET, else "tiny".

    "auto" (the CLI's default) means "real" when its weights are all in the local cache, else "toy".
    """
    preset = options.get("preset") or default or os.environ.get(PRESET_ENV) or "tiny"
    if preset == "auto":
        from .real import missing_weights

        return "toy" if missing_weights() else "real"
    if preset not in PRESETS:
        choices = ", ".join((*PRESETS, "auto"))
        raise ValueError(f"unknown FramePack F1 preset {preset!r}; choose one of {choices}")
    return preset


def resolve_offload(options: dict[str, Any]) -> str:
    offload = options.get("offload") or "none"
    if offload not in OFFLOAD_MODES:
        raise ValueError(f"unknown offload mode {offload!r}; choose one of {', '.join(OFFLOAD_MODES)}")
    return offload


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


def siglip_image_processor_class() -> type:
    """SigLIP's image processor; on transformers 5 without torchvision the PIL one, named directly so that
    transformers does not warn about falling back to it."""
    try:
        from transformers import SiglipImageProcessorPil as SiglipImageProcessor
    except ImportError:
        from transformers import SiglipImageProcessor
    return SiglipImageProcessor


def use_fp32_output_projection(transformer: torch.nn.Module) -> None:
    """Run the final projection in float32 while the rest stays bf16, as FramePack's demo does
    (``high_quality_fp32_output_for_inference``): the velocity is then not rounded to bf16."""
    transformer.proj_out.to(torch.float32)
    transformer.proj_out.register_forward_pre_hook(lambda _module, args: tuple(a.float() for a in args))


def load_components(
    preset: str, device: torch.device, dtype: torch.dtype, *, vae_tiling: bool = False, offload: str = "none"
) -> Components:
    """Build (tiny), load from the package (toy) or from the local cache (real) the whole stack, in eval mode,
    placed per ``offload``."""
    if preset == "tiny":
        from .tiny import build_tiny_components

        components = build_tiny_components(device, dtype)
    elif preset == "toy":
        from .toy import build_toy_components

        components = build_toy_components(device, dtype)
    elif preset == "real":
        from .real import load_real_components

        components = load_real_components(device, dtype)
    else:
        raise ValueError(f"unknown FramePack F1 preset {preset!r}")
    if dtype != torch.float32:
        use_fp32_output_projection(components.transformer)
    if vae_tiling:
        components.vae.enable_tiling()
    components.offload = offload
    components.place_models()
    return components
