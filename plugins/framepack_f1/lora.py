"""LoRA per clip: load a clip's LoRA files into the transformer for its render, unload them after.

Uses diffusers' adapter API (``load_lora_adapter`` / ``set_adapters`` / ``unload_lora``, PEFT under it).
Accepted key formats, as FramePack-Studio accepts them:

- diffusers / PEFT: ``transformer.transformer_blocks.0.attn.to_q.lora_A.weight`` (prefix optional);
- original HunyuanVideo: ``diffusion_model.double_blocks.0.img_attn_qkv.lora_A.weight`` (ComfyUI,
  diffusion-pipe), converted by diffusers' ``_convert_hunyuan_video_lora_to_diffusers``;
- musubi-tuner / kohya: ``lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight`` with ``.alpha``,
  rewritten to the original form with the ``alpha / rank`` scale folded into ``lora_B``.

Files are read with safetensors only (never pickle).  ``unload_lora`` removes the PEFT layers, so the
transformer after a LoRA clip is the very module it was before (bit-exact renders).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file

_KOHYA_PREFIX = "lora_unet_"
_KOHYA_BLOCK = re.compile(r"^(double_blocks|single_blocks)_(\d+)_(.+)$")
# musubi spells module paths with underscores; these are the dots of the original HunyuanVideo names.
_KOHYA_DOTS = (("img_mlp_", "img_mlp."), ("txt_mlp_", "txt_mlp."), ("img_mod_", "img_mod."), ("txt_mod_", "txt_mod."))


class LoraError(ValueError):
    """A LoRA file that cannot be applied; the message names the file."""


@dataclass(frozen=True)
class ClipLora:
    path: Path
    weight: float


def loras_of(params: dict, media: dict[str, Path]) -> list[ClipLora]:
    """The recipe's LoRA list with absolute paths (``media``: the engine's resolved media inputs)."""
    found = []
    for item in params.get("loras") or []:
        stored = item["path"]
        found.append(ClipLora(media.get(stored, Path(stored)), float(item.get("weight", 1.0))))
    return found


def diffusers_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """A LoRA file's tensors with diffusers' key names (``transformer.`` prefixed)."""
    try:
        state = load_file(str(path))
    except Exception as err:  # a truncated or non-safetensors file
        raise LoraError(f"{path}: not a readable safetensors LoRA file ({err})") from None
    state = {k: v for k, v in state.items() if "dora_scale" not in k}
    if any(k.startswith(_KOHYA_PREFIX) for k in state):
        state = _kohya_to_original(state)
    if any("double_blocks" in k or "single_blocks" in k for k in state):
        from diffusers.loaders.lora_conversion_utils import _convert_hunyuan_video_lora_to_diffusers

        state = _convert_hunyuan_video_lora_to_diffusers(state)
    return {(k if k.startswith("transformer.") else f"transformer.{k}"): v for k, v in state.items()}


def _kohya_to_original(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    converted: dict[str, torch.Tensor] = {}
    for key, down in state.items():
        if not key.endswith(".lora_down.weight"):
            continue
        module = key.removesuffix(".lora_down.weight")
        up = state[f"{module}.lora_up.weight"]
        rank = down.shape[0]
        alpha = state.get(f"{module}.alpha")
        scale = float(alpha) / rank if alpha is not None else 1.0
        name = _original_name(module.removeprefix(_KOHYA_PREFIX))
        converted[f"diffusion_model.{name}.lora_A.weight"] = down
        converted[f"diffusion_model.{name}.lora_B.weight"] = up * scale
    return converted


def _original_name(kohya: str) -> str:
    match = _KOHYA_BLOCK.match(kohya)
    if match is None:
        return kohya
    block, index, rest = match.groups()
    for spelt, meant in _KOHYA_DOTS:
        rest = rest.replace(spelt, meant)
    rest = rest.replace("modulation_linear", "modulation.linear")
    return f"{block}.{index}.{rest}"


def _check_fits(transformer: torch.nn.Module, state: dict[str, torch.Tensor], path: Path) -> None:
    """Every LoRA key must name a linear layer of this model: a LoRA for another model is refused whole."""
    modules = dict(transformer.named_modules())
    stray = set()
    for key in state:
        module = re.sub(r"\.lora_[AB]\.(weight|bias)$", "", key.removeprefix("transformer."))
        layer = modules.get(module)
        layer = getattr(layer, "base_layer", layer)  # a layer an earlier LoRA of this clip already wraps
        if not isinstance(layer, torch.nn.Linear):
            stray.add(module)
    if stray or not state:
        shown = ", ".join(sorted(stray)[:3]) or "no LoRA tensors"
        raise LoraError(f"{path}: not a LoRA for this model ({len(stray)} unknown layer(s): {shown})")


@contextmanager
def clip_loras(transformer: torch.nn.Module, loras: Sequence[ClipLora]) -> Iterator[None]:
    """The transformer with ``loras`` applied at their weights for the block; none left after it."""
    if not loras:
        yield
        return
    names: list[str] = []
    try:
        for index, lora in enumerate(loras):
            name = f"clip_lora_{index}"
            state = diffusers_state_dict(lora.path)
            _check_fits(transformer, state, lora.path)
            try:
                transformer.load_lora_adapter(state, prefix="transformer", adapter_name=name)
            except (ValueError, RuntimeError, KeyError, IndexError) as err:
                raise LoraError(f"{lora.path}: does not fit this model ({err})") from None
            if name not in getattr(transformer, "peft_config", {}):
                raise LoraError(f"{lora.path}: no layer of this model matches its keys")
            names.append(name)
        transformer.set_adapters(names, [lora.weight for lora in loras])
        yield
    finally:
        if getattr(transformer, "peft_config", None):
            transformer.unload_lora()
