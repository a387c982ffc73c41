"""An upscaler from a weights file: read safely, then built by spandrel when it imports, else by ``rrdbnet``.

Nothing here runs code from the file: ``.safetensors`` is plain tensors, and ``.pth`` is read only with
``torch.load(weights_only=True)`` (a pickle that wants anything but tensors and containers is refused).
The state dict is read here in both cases and handed to spandrel as a dict, so spandrel's own file
loading never sees the file.

spandrel (the loader ComfyUI uses) knows dozens of architectures, but imports torchvision at import
time; where torchvision is not installed (our CPU-torch CI), ``rrdbnet`` builds the ESRGAN family.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from fp_timeline_plugins.upscalers.rrdbnet import RRDBNet, config_of, from_old_layout

WRAPPERS = ("params_ema", "params", "state_dict", "model")  # where training code nests the weights


class WeightsError(ValueError):
    """A weights file we cannot (or will not) load; the message says which file and why."""


@dataclass
class Upscaler:
    model: nn.Module
    scale: float
    loader: str  # "spandrel" or "rrdbnet": which one built it (shown in the derived media's record)


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a ``.safetensors`` or ``.pth`` file, unwrapped from ``params_ema`` and friends."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path), device="cpu")
        elif suffix in (".pth", ".pt"):
            state = torch.load(str(path), map_location="cpu", weights_only=True)
        else:
            raise WeightsError(f"{path}: expected a .pth or .safetensors upscaler")
    except WeightsError:
        raise
    except Exception as err:  # unpickling refused, truncated file, not a tensor file
        raise WeightsError(f"{path}: not a loadable weights file ({type(err).__name__}: {err})") from None
    for wrapper in WRAPPERS:
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
            break
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{path}: holds no state dict of tensors")
    return state


def spandrel_loader() -> Callable[[dict[str, torch.Tensor]], Upscaler] | None:
    """spandrel's ``load_from_state_dict``, or None when spandrel (or torchvision under it) is missing."""
    with contextlib.suppress(Exception):
        from spandrel import ImageModelDescriptor, ModelLoader

        def load(state: dict[str, torch.Tensor]) -> Upscaler:
            descriptor = ModelLoader().load_from_state_dict(state)
            if not isinstance(descriptor, ImageModelDescriptor):
                raise WeightsError(f"not an image-to-image model ({descriptor.architecture.name})")
            return Upscaler(descriptor.model, float(descriptor.scale), "spandrel")

        return load
    return None


def rrdbnet_loader(state: dict[str, torch.Tensor]) -> Upscaler:
    state = from_old_layout(state)
    try:
        config = config_of(state)
    except (KeyError, ValueError) as err:
        message = f"not an ESRGAN-family (RRDBNet) state dict (no {err}); install spandrel for others"
        raise WeightsError(message) from None
    model = RRDBNet(config)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        raise WeightsError(f"RRDBNet weights do not fit: {str(err).splitlines()[0]}") from None
    return Upscaler(model, config.scale, "rrdbnet")


def load_upscaler(path: Path, prefer_spandrel: bool = True) -> Upscaler:
    """The upscaler in ``path``, in eval mode, on the CPU."""
    state = read_state_dict(path)
    spandrel = spandrel_loader() if prefer_spandrel else None
    try:
        upscaler = spandrel(state) if spandrel is not None else rrdbnet_loader(state)
    except WeightsError as err:
        raise WeightsError(f"{path}: {err}") from None
    except Exception as err:  # spandrel's "unsupported model" and the like
        raise WeightsError(f"{path}: {type(err).__name__}: {err}") from None
    upscaler.model.eval().requires_grad_(False)
    return upscaler
