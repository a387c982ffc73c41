"""Prompt and image encodings kept on disk in the project, by content hash.

Loading the real Llama costs 16 GB of reads and minutes; its output for a prompt is 1 MB.  So every
encoding is written to ``<project>.fp/cache/embeddings/<key>.safetensors`` (key: sha256 of the encoder
identity and the input), and a rerender, a variation or a resumed render finds it there and never loads
Llama.  Files are written atomically; an unreadable one is treated as absent and rewritten.
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save

from fp_timeline.project.atomic import write_bytes_atomic

from .loop import TextConditioning

FOLDER = "embeddings"


class EmbeddingStore:
    """Encodings under ``folder``; ``hits``/``writes`` count for tests and reports."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.writes = 0

    @classmethod
    def in_cache(cls, cache_dir: Path | None) -> EmbeddingStore | None:
        return None if cache_dir is None else cls(Path(cache_dir) / FOLDER)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.safetensors"

    def _read(self, key: str) -> dict[str, torch.Tensor] | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            with safe_open(str(path), framework="pt") as f:
                if (f.metadata() or {}).get("key") != key:
                    return None
                tensors = {name: f.get_tensor(name).clone() for name in f.keys()}  # noqa: SIM118
        except Exception:  # a damaged cache file is just a miss
            return None
        self.hits += 1
        return tensors

    def _write(self, key: str, tensors: dict[str, torch.Tensor]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = save({k: v.contiguous().cpu() for k, v in tensors.items()}, metadata={"key": key})
        write_bytes_atomic(self._path(key), data)
        self.writes += 1

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def text(self, key: str) -> TextConditioning | None:
        tensors = self._read(key)
        if tensors is None or set(tensors) != {"embeds", "mask", "pooled"}:
            return None
        return TextConditioning(embeds=tensors["embeds"], mask=tensors["mask"], pooled=tensors["pooled"])

    def put_text(self, key: str, text: TextConditioning) -> None:
        self._write(key, {"embeds": text.embeds, "mask": text.mask, "pooled": text.pooled})

    def image(self, key: str) -> torch.Tensor | None:
        tensors = self._read(key)
        return None if tensors is None or "image" not in tensors else tensors["image"]

    def put_image(self, key: str, embeds: torch.Tensor) -> None:
        self._write(key, {"image": embeds})
