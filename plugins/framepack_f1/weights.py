"""Checkpoint facts the memory plan needs without loading anything: sizes, stored dtype, content hash."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

GB = 1024**3
# Published sizes (bytes as stored) of the real preset's models, for planning before they are downloaded.
REAL_SIZES = {
    "transformer": int(25.7 * GB),  # FramePack_F1_I2V_HY_20250503, bf16
    "text_encoders": int(15.2 * GB),  # HunyuanVideo Llama-3 8B text part (fp16) + CLIP-L text
    "others": int(1.3 * GB),  # HunyuanVideo VAE + SigLIP (flux_redux_bfl)
}


def safetensors_files(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob("*.safetensors"))


def folder_bytes(folder: Path) -> int:
    """Bytes of the safetensors files in ``folder`` (symlinks followed, as in the HF cache)."""
    return sum(path.stat().st_size for path in safetensors_files(folder))


def stored_dtype_name(folder: Path) -> str | None:
    """The dtype of the first tensor of the first safetensors file ("BF16", "F32", ...), from its header."""
    files = safetensors_files(folder)
    if not files:
        return None
    with open(files[0], "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    dtypes = [entry["dtype"] for name, entry in header.items() if name != "__metadata__"]
    return max(set(dtypes), key=dtypes.count) if dtypes else None


def checkpoint_id(folder: Path) -> str:
    """A content hash of the checkpoint in ``folder``.

    In the Hugging Face cache every weight file is a symlink to ``blobs/<sha256 of its content>``: those
    names are the hash, for free.  Anywhere else the files are hashed (once per call; it reads them).
    """
    digest = hashlib.sha256()
    for path in safetensors_files(folder):
        resolved = path.resolve()
        digest.update(path.name.encode() + b"\0")
        if path.is_symlink() and resolved.parent.name == "blobs" and len(resolved.name) == 64:
            digest.update(resolved.name.encode())
        else:
            with open(resolved, "rb") as handle:
                while chunk := handle.read(1 << 24):
                    digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()
