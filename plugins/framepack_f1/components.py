"""The model stack one render needs (``Components``), as every preset's builder returns it.

A leaf: the builders (``tiny.py``, ``toy/``, ``real.py``) import it, ``placement.py`` finishes a built
stack, and ``presets.py`` chooses which builder to run.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .embed_store import EmbeddingStore
from .memory_plan import MemoryPlan, ModelSizes


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


def siglip_image_processor_class() -> type:
    """SigLIP's image processor; on transformers 5 without torchvision the PIL one, named directly so that
    transformers does not warn about falling back to it."""
    try:
        from transformers import SiglipImageProcessorPil as SiglipImageProcessor
    except ImportError:
        from transformers import SiglipImageProcessor
    return SiglipImageProcessor
