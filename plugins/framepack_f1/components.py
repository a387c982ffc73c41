"""The model stack one render needs, and how to choose device, dtype and preset.

Three presets go through the same code path: ``tiny`` (seeded random weights built in code, for fast
tests; see ``tiny.py``), ``toy`` (the same classes at small sizes, trained here on synthetic motion and
shipped in the package: the CPU demo and the drift benchmark; see ``toy/``) and ``real`` (the released
FramePack F1 weights from the local Hugging Face cache; see ``real.py``).  Nothing is loaded at import:
``load_components`` is called on first render.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .embed_store import EmbeddingStore
from .memory_plan import MemoryPlan, ModelSizes, normalize_request

PRESETS = ("tiny", "toy", "real")
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
    """Models of one preset on one device, placed by a ``MemoryPlan`` (see ``memory_plan.py``).

    Builders return every model on the CPU: the big ones (transformer, Llama) in their stored dtype,
    backed by the mmapped checkpoint; ``place_models`` then applies the plan.  Under an exclusive plan
    the transformer and the text encoders are never loaded at once: loading one releases the other
    (``load_transformer`` brings the transformer back, mmapped, so that is cheap).
    """

    preset: str
    model_id: str  # written into contexts: a context is refused by another model
    device: torch.device
    dtype: torch.dtype  # transformer compute dtype
    transformer: torch.nn.Module | None
    vae: torch.nn.Module
    image_encoder: torch.nn.Module
    feature_extractor: Any
    tokenizer: Any
    tokenizer_2: Any
    prompt_template: PromptTemplate
    load_text_encoders: Callable[[], tuple[torch.nn.Module, torch.nn.Module]]
    text_encoders: tuple[torch.nn.Module, torch.nn.Module] | None = field(default=None, repr=False)
    load_transformer: Callable[[], torch.nn.Module] | None = field(default=None, repr=False)
    sizes: ModelSizes | None = None  # bytes as stored; measured from the models when None
    checkpoint_id: str = ""  # content hash of the transformer's weights (names the disk offload folder)
    text_checkpoint_id: str = ""  # the same for the Llama text encoder
    plan: MemoryPlan | None = None
    offload_root: Path | None = None  # where the disk plan writes its per-block files
    text_sessions: int = field(default=0, repr=False)  # how many times the text encoders were loaded
    embed_store: EmbeddingStore | None = field(default=None, repr=False)  # the project's encodings on disk

    @property
    def latent_channels(self) -> int:
        return int(self.get_transformer().config.in_channels)

    @property
    def dtype_name(self) -> str:
        return str(self.dtype).removeprefix("torch.")

    @property
    def identity(self) -> str:
        """Model, dtype and device: besides the inputs, what decides an encoding's or a section's numbers."""
        return f"{self.model_id}|{self.dtype_name}|{self.device}"

    @property
    def exclusive(self) -> bool:
        return self.plan is not None and self.plan.exclusive

    def place_models(self) -> None:
        """The transformer per the plan; the small models on the compute device for good."""
        from .offload import place

        if self.transformer is not None:
            place(self.transformer, self.plan, self.device, self.dtype, self.offload_root, self.checkpoint_id)
        self.vae.to(self.device)
        self.image_encoder.to(self.device)

    def get_transformer(self) -> torch.nn.Module:
        if self.transformer is None:
            if self.load_transformer is None:
                raise RuntimeError("the transformer was released and this preset cannot reload it")
            if self.exclusive:
                self.free_text_encoders()
            self.transformer = self.load_transformer()
            self.place_models()
        return self.transformer

    def release_transformer(self) -> None:
        """Drop the transformer (only when it can be reloaded), so a text session has the memory."""
        if self.load_transformer is not None and self.transformer is not None:
            self.transformer = None
            gc.collect()
            if self.device.type == "cuda":
                torch.cuda.empty_cache()

    def get_text_encoders(self) -> tuple[torch.nn.Module, torch.nn.Module]:
        if self.text_encoders is None:
            from .offload import place

            if self.exclusive:
                self.release_transformer()
            llama, clip = self.load_text_encoders()
            self.text_sessions += 1
            place(llama, self.plan, self.device, self.aux_dtype, self.offload_root, self.text_checkpoint_id)
            clip.to(self.device)
            self.text_encoders = (llama, clip)
        return self.text_encoders

    @property
    def aux_dtype(self) -> torch.dtype:
        """Compute dtype of the encoders: fp16 on a GPU as FramePack, float32 on the CPU."""
        return torch.float16 if self.device.type == "cuda" and self.preset == "real" else torch.float32

    def free_text_encoders(self) -> None:
        """Drop the text encoders (the Llama one is 8B params in the real preset)."""
        self.text_encoders = None
        gc.collect()
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
    """The memory plan asked for: "auto" (default) chooses from free VRAM and RAM; see ``memory_plan``."""
    return normalize_request(options.get("offload"))


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


KEEP_DTYPE = "_fp_timeline_keeps_dtype"  # set on modules that must stay in their dtype (fp32 output)


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
    return place_components(
        components,
        vae_tiling=vae_tiling,
        offload=offload,
        offload_root=offload_root,
        attention=attention,
        compile_blocks=compile_blocks,
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
    from .memory_plan import choose_plan
    from .resources import probe, return_large_frees_to_os

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
