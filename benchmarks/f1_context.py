"""How F1 cost and context size scale with shot length (tiny preset, CPU).

Renders a 1-section and a 10-section clip and prints per-section times and the saved context size of
each.  The first section of a clip decodes 1 + L latents, every later one 2L (FramePack's overlap), so
compare section 10 with section 2: that ratio and the context-size ratio should both be ~1.

    python benchmarks/f1_context.py [--window 9] [--steps 4]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from fp_timeline.engine.generator import CancelToken, RenderJob
from fp_timeline.project.recipe import Recipe
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator, frames_for


class _CountingSink:
    def __init__(self) -> None:
        self.frames_written = 0

    def write(self, frame: np.ndarray) -> None:
        self.frames_written += 1


def _render(generator: FramePackF1Generator, tmp: Path, image: Path, sections: int, window: int, steps: int, tag: str):
    recipe = Recipe(
        prompt="a paper boat drifts down a stream",
        seed=1,
        frames=frames_for(sections, False, window),
        width=64,
        height=64,
        image=image.name,
        params={"latent_window_size": window, "steps": steps},
    )
    job = RenderJob(
        clip=f"{tag}{sections}",
        recipe=recipe,
        recipe_hash=f"bench-{tag}{sections}",  # own work_dir: no resume from another run
        image_path=image,
        incoming=None,
        context_path=tmp / f"{tag}{sections}.context.safetensors",
        work_dir=tmp / f"work_{tag}{sections}",
        options={"preset": "tiny", "device": "cpu"},
    )
    section_times: list[float] = []
    last = [time.perf_counter()]

    def progress(p) -> None:
        if p.stage == "decode":  # one per finished section (sampling + decode)
            now = time.perf_counter()
            section_times.append(now - last[0])
            last[0] = now
        elif p.stage == "encode":
            last[0] = time.perf_counter()

    generator.render(job, _CountingSink(), progress, CancelToken())
    return section_times, job.context_path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=9)
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(2)
    generator = FramePackF1Generator(preset="tiny")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        image = tmp / "start.png"
        from PIL import Image

        Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(image)
        _render(generator, tmp, image, 1, args.window, args.steps, "warmup")  # warm-up: model build, first-call costs
        results = {n: _render(generator, tmp, image, n, args.window, args.steps, "run") for n in (1, 10)}
    for n, (times, size) in results.items():
        later = f", sections 2-{n} mean {np.mean(times[1:]) * 1000:.0f} ms" if n > 1 else ""
        print(f"{n:2d}-section clip: section 1 {times[0] * 1000:.0f} ms{later}; context {size / 1024:.1f} KiB")
    (_, s1), (t10, s10) = results[1], results[10]
    print(f"ratios: context size 10/1 = {s10 / s1:.2f}; time of section 10 / section 2 = {t10[-1] / t10[1]:.2f}")


if __name__ == "__main__":
    main()
