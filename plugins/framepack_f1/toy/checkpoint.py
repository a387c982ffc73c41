"""The toy preset's weights on disk: one safetensors file per model, plus the VAE's latent scale."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

WEIGHTS_DIR = Path(__file__).with_name("weights")
FILES = ("transformer", "vae", "llama", "clip", "siglip")


def save_weights(module: torch.nn.Module, path: Path) -> None:
    """``module``'s state as one safetensors file (contiguous copies: safetensors refuses tensors sharing
    memory, as tied embeddings do)."""
    save_file({k: v.detach().clone().contiguous() for k, v in module.state_dict().items()}, str(path))


def save_toy_checkpoint(components, folder: Path) -> None:
    """Write every model of a toy ``Components`` into ``folder`` (atomic per file)."""
    folder.mkdir(parents=True, exist_ok=True)
    llama, clip = components.get_text_encoders()
    modules = {
        "transformer": components.get_transformer(),
        "vae": components.vae,
        "llama": llama,
        "clip": clip,
        "siglip": components.image_encoder,
    }
    for name, module in modules.items():
        tmp = folder / f"{name}.safetensors.tmp"
        save_weights(module, tmp)
        tmp.replace(folder / f"{name}.safetensors")
    digest = hashlib.sha256()
    for name in FILES:  # every model: re-initialised text encoders change what a prompt means
        digest.update((folder / f"{name}.safetensors").read_bytes())
    config = {"vae_scaling_factor": float(components.vae.config.scaling_factor), "weights_id": digest.hexdigest()[:12]}
    (folder / "config.json").write_text(json.dumps(config, indent=1) + "\n")


def load_state(module: torch.nn.Module, folder: Path, name: str) -> torch.nn.Module:
    """Load ``folder/name.safetensors`` into ``module`` strictly; a clear error names the file."""
    path = folder / f"{name}.safetensors"
    if not path.is_file():
        raise FileNotFoundError(f"toy preset: missing weights file {path}")
    missing, unexpected = module.load_state_dict(load_file(str(path)), strict=False)
    if unexpected or [k for k in missing if "position_ids" not in k]:
        raise ValueError(f"toy preset: {path} does not fit the model (missing {missing}, unexpected {unexpected})")
    return module.eval()


def vae_scaling_factor(folder: Path) -> float:
    path = folder / "config.json"
    if not path.is_file():
        raise FileNotFoundError(f"toy preset: missing {path}")
    return float(json.loads(path.read_text())["vae_scaling_factor"])


def weights_id(folder: Path) -> str:
    """A short content hash of every model's weights, written by ``save_toy_checkpoint``."""
    path = folder / "config.json"
    if not path.is_file():
        raise FileNotFoundError(f"toy preset: missing {path}")
    return str(json.loads(path.read_text())["weights_id"])
