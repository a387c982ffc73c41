"""The ``toy`` preset: FramePack's model classes at small sizes, trained here on synthetic motion.

Unlike ``tiny`` (random weights), the toy's transformer and VAE are trained (``train.py``) on videos whose
future is known (``motions.py``): camera pans and zooms and a bouncing sprite, chosen by the prompt.  It
renders recognisable moving pictures on a CPU, and gives the drift benchmark a ground truth.
"""

from __future__ import annotations

from pathlib import Path

import torch

from ..components import Components
from ..placement import place_components
from ..tiny import (
    TINY_TEMPLATE,
    _build_text_encoders,
    build_clip_tokenizer,
    build_llama_tokenizer,
    build_tiny_image_encoder,
)
from .checkpoint import WEIGHTS_DIR, load_state, vae_scaling_factor, weights_id
from .models import build_toy_text_encoders, build_toy_transformer, build_toy_vae

TOY_MODEL_NAME = "fp_timeline/toy-framepack-f1"


def toy_model_id(folder: Path = WEIGHTS_DIR) -> str:
    """The toy's model id names its weights' content, so retrained weights make older takes stale."""
    return f"{TOY_MODEL_NAME}@{weights_id(folder)}"


def untrained_components(vae: torch.nn.Module | None = None) -> Components:
    """The toy stack before training (the encoders are already final), on the CPU in float32, placed."""
    image_encoder, feature_extractor = build_tiny_image_encoder()
    components = Components(
        preset="toy",
        model_id=f"{TOY_MODEL_NAME}@untrained",
        device=torch.device("cpu"),
        dtype=torch.float32,
        transformer=build_toy_transformer().eval(),
        vae=(vae or build_toy_vae()).eval(),
        image_encoder=image_encoder,
        feature_extractor=feature_extractor,
        tokenizer=build_llama_tokenizer(),
        tokenizer_2=build_clip_tokenizer(),
        prompt_template=TINY_TEMPLATE,
        load_text_encoders=build_toy_text_encoders,
        checkpoint_id=f"{TOY_MODEL_NAME}@untrained",
        text_checkpoint_id=f"{TOY_MODEL_NAME}@untrained|text",
    )
    return place_components(components)


def build_toy_components(device: torch.device, dtype: torch.dtype, folder: Path = WEIGHTS_DIR) -> Components:
    """The trained toy stack from ``folder`` (default: the weights shipped in the package), on the CPU."""
    from ..tiny import _as_dtype

    def load_transformer() -> torch.nn.Module:
        return _as_dtype(load_state(build_toy_transformer(), folder, "transformer"), dtype)

    model_id = toy_model_id(folder)
    vae = load_state(build_toy_vae(vae_scaling_factor(folder)), folder, "vae")
    image_encoder, feature_extractor = build_tiny_image_encoder()
    load_state(image_encoder, folder, "siglip")

    def load_text_encoders() -> tuple[torch.nn.Module, torch.nn.Module]:
        llama, clip = _build_text_encoders()
        return load_state(llama, folder, "llama"), load_state(clip, folder, "clip")

    return Components(
        preset="toy",
        model_id=model_id,
        device=device,
        dtype=dtype,
        transformer=load_transformer(),
        vae=_as_dtype(vae, dtype),
        image_encoder=image_encoder,
        feature_extractor=feature_extractor,
        tokenizer=build_llama_tokenizer(),
        tokenizer_2=build_clip_tokenizer(),
        prompt_template=TINY_TEMPLATE,
        load_text_encoders=load_text_encoders,
        load_transformer=load_transformer,
        checkpoint_id=f"{model_id}|{dtype}",
        text_checkpoint_id=f"{model_id}|text",
    )


def load_toy(folder: Path, device: torch.device | None = None, dtype: torch.dtype = torch.float32) -> Components:
    """A toy checkpoint from any folder (a training run's, say), built and placed ready to render."""
    return place_components(build_toy_components(device or torch.device("cpu"), dtype, folder))
