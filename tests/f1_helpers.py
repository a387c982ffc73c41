"""Helpers for the F1 plugin tests: an in-memory frame sink, tiny jobs, and a subprocess entry point.

``python -m tests.f1_helpers render <jobs.json>`` renders clips in a fresh interpreter (used to
show that a saved context alone carries a chain across processes).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from fp_timeline.engine.generator import CancelToken, ContextBlob, RenderJob
from fp_timeline.project.recipe import ContextMode, NoiseMode, Recipe

SIZE = 32  # pixels; latents 4x4 (the 2x/4x history paths pad): small enough to be quick on CPU
KILLED_EXIT = 75
TINY_PARAMS = {"latent_window_size": 3, "steps": 3}  # 12 frames per section, fast on CPU


class ListSink:
    """A ``FrameSink`` that keeps the frames in memory."""

    def __init__(self) -> None:
        self.frames: list[np.ndarray] = []

    def write(self, frame: np.ndarray) -> None:
        assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
        self.frames.append(frame.copy())

    @property
    def frames_written(self) -> int:
        return len(self.frames)


def write_image(path: Path, seed: int) -> Path:
    """A smooth random test image (SIZE x SIZE) so the VAE sees structure, not just noise."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (4, 4, 3), dtype=np.uint8)
    Image.fromarray(small).resize((SIZE, SIZE), Image.BICUBIC).save(path)
    return path


def recipe(prompt: str, seed: int, sections: int, carry: bool = False, noise: str = "own", **params) -> Recipe:
    window = params.get("latent_window_size", TINY_PARAMS["latent_window_size"])
    frames = sections * 4 * window + (0 if carry else 1)
    return Recipe(
        prompt=prompt,
        seed=seed,
        frames=frames,
        width=SIZE,
        height=SIZE,
        image=None if carry else "start.png",
        params={**TINY_PARAMS, **params},
        context=ContextMode.CARRY if carry else ContextMode.FRESH,
        noise=NoiseMode(noise),
    )


def job(
    tmp: Path,
    clip: str,
    rec: Recipe,
    image: Path | None = None,
    incoming: Path | None = None,
    options: dict | None = None,
) -> RenderJob:
    return RenderJob(
        clip=clip,
        recipe=rec,
        recipe_hash=f"hash-{clip}",
        image_path=image,
        incoming=ContextBlob(incoming, f"hash-up-{clip}") if incoming else None,
        context_path=tmp / f"{clip}.context.safetensors",
        work_dir=tmp / f"work_{clip}",
        options={"preset": "tiny", "device": "cpu", **(options or {})},
    )


def job_to_dict(j: RenderJob) -> dict:
    return {
        "clip": j.clip,
        "recipe": j.recipe.to_metadata(),
        "image": str(j.image_path) if j.image_path else None,
        "incoming": str(j.incoming.path) if j.incoming else None,
        "tmp": str(j.context_path.parent),
        "options": j.options,
    }


def _render_jobs(spec_path: str) -> None:
    """Render each job of a JSON list ``[{"job": ..., "out": path.npz, "kill_in_section": n?}]`` in this
    (fresh) process; with ``kill_in_section`` the process exits abruptly once that section starts."""
    import torch
    from safetensors.torch import load_file

    from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator

    torch.set_num_threads(2)
    generator = FramePackF1Generator()
    for item in json.loads(Path(spec_path).read_text()):
        spec = item["job"]
        j = job(
            Path(spec["tmp"]),
            spec["clip"],
            Recipe.from_metadata(spec["recipe"]),
            image=Path(spec["image"]) if spec["image"] else None,
            incoming=Path(spec["incoming"]) if spec["incoming"] else None,
            options=spec["options"],
        )
        sink = ListSink()
        kill_in = item.get("kill_in_section")

        def progress(p, kill_in: int | None = kill_in) -> None:
            if kill_in is not None and p.stage == "sample" and p.section == kill_in:
                os._exit(KILLED_EXIT)  # die like a killed process: no cleanup, no exception handling

        generator.render(j, sink, progress, CancelToken())
        # The section latents this process produced, read back from its checkpoints.
        latents = [load_file(f)["latents"].numpy() for f in sorted(j.work_dir.glob("f1_section_*.safetensors"))]
        np.savez(item["out"], frames=np.stack(sink.frames), latents=np.stack(latents))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "render":
        _render_jobs(sys.argv[2])
    else:
        sys.exit("usage: python -m tests.f1_helpers render <jobs.json>")
