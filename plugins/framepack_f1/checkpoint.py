"""Per-section checkpoints in the render's ``work_dir``, so a killed render resumes where it stopped.

After each finished section we write that section's latents and the noise generator's state.  Resuming
replays the finished sections (decode only, no sampling), which restores the history, the decoder and the
frames exactly, then samples on: the result equals an uninterrupted render.  The files are scratch (the
engine deletes ``work_dir`` after a successful take); a section file is never half-written (temp + rename).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save

from fp_timeline.project.atomic import write_bytes_atomic

PREFIX = "f1_section_"


class SectionCheckpoints:
    """The finished sections of one render, identified by ``key`` (recipe hash + model + options)."""

    def __init__(self, work_dir: Path, key: str) -> None:
        self.work_dir = Path(work_dir)
        self.key = key

    def _path(self, index: int) -> Path:
        return self.work_dir / f"{PREFIX}{index:04d}.safetensors"

    def save(self, index: int, latents: torch.Tensor, rng_state: torch.Tensor) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        data = save(
            {"latents": latents.contiguous().cpu(), "rng_state": rng_state.contiguous()},
            metadata={"key": self.key, "index": str(index)},
        )
        write_bytes_atomic(self._path(index), data)

    def count(self) -> int:
        """How many consecutive sections from 0 are checkpointed for this key."""
        n = 0
        while self._valid(n):
            n += 1
        return n

    def _valid(self, index: int) -> bool:
        path = self._path(index)
        if not path.is_file():
            return False
        try:
            with safe_open(str(path), framework="pt") as f:
                meta = f.metadata() or {}
        except Exception:  # a corrupt scratch file just means "not finished"
            return False
        return meta.get("key") == self.key and meta.get("index") == str(index)

    def finished(self, count: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """(latents, rng_state) of sections 0..count-1, one at a time (memory stays flat)."""
        for index in range(count):
            with safe_open(str(self._path(index)), framework="pt") as f:
                yield f.get_tensor("latents"), f.get_tensor("rng_state")
