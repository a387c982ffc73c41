"""Two independent carried chains: a 2-worker local Ray cluster vs the in-process executor.

Target: wall time on Ray / wall time locally <= 0.6.  Each chain is N clips, each carried from the
one before, so a chain is sequential by nature; the two chains are independent, so two workers can
render them side by side.  Both sides use one compute thread per worker (a stand-in for one GPU
each), the models are loaded before timing (Ray's workers keep theirs between runs, as the local
process does), and the sides are timed interleaved, ``--repeats`` times each, best of each kept:
machine noise falls on both.  Uses FramePack F1's tiny preset (real model classes and loop, random
weights) on the CPU.

    python benchmarks/ray_chains.py [--clips 3] [--sections 1] [--repeats 2] [--size 64]

The figures are printed last as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# One compute thread per worker and in the local process: a fair stand-in for one GPU each.
os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from fp_timeline.engine.optional_ray import ray_executor  # noqa: E402
from fp_timeline.engine.planner import plan_render  # noqa: E402
from fp_timeline.engine.renderer import LocalExecutor, render_project  # noqa: E402
from fp_timeline.project.document import Project, new_project, save_project  # noqa: E402
from fp_timeline.project.edits import add_clip  # noqa: E402
from fp_timeline.project.recipe import ContextMode, Recipe  # noqa: E402

OPTIONS = {"preset": "tiny", "device": "cpu"}
TARGET = 0.6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=3, help="clips per chain")
    parser.add_argument("--sections", type=int, default=1, help="F1 sections per clip")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--size", type=int, default=64, help="frame width and height (pixels)")
    args = parser.parse_args()

    import ray
    import torch

    torch.set_num_threads(1)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    on_ray = ray_executor(workers=2)
    times: dict[str, list[float]] = {"local": [], "ray": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for name, executor in (("local", LocalExecutor()), ("ray", on_ray)):  # load the models, untimed
                _render(_project(folder / f"warm_{name}", 1, 1, args.size), executor)
            for repeat in range(args.repeats):
                for name, executor in (("local", LocalExecutor()), ("ray", on_ray)):
                    project = _project(folder / f"{name}_{repeat}", args.clips, args.sections, args.size)
                    seconds = _render(project, executor)
                    times[name].append(seconds)
                    print(f"{name:5s} repeat {repeat + 1}: {seconds:.1f} s", flush=True)
    finally:
        on_ray.close()
        ray.shutdown()
    local, remote = min(times["local"]), min(times["ray"])
    ratio = remote / local
    print(f"two chains of {args.clips} clips: local {local:.1f} s, Ray (2 workers) {remote:.1f} s, ratio {ratio:.2f}")
    figures = {
        "benchmark": "ray_chains",
        "chains": 2,
        "clips_per_chain": args.clips,
        "sections_per_clip": args.sections,
        "size": args.size,
        "local_s": round(local, 2),
        "ray_s": round(remote, 2),
        "ratio": round(ratio, 3),
        "target": TARGET,
        "pass": ratio <= TARGET,
        "load_average": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(figures))
    return 0


def _render(project: Project, executor) -> float:
    started = time.monotonic()
    render_project(project, plan_render(project), OPTIONS, executor=executor)
    return time.monotonic() - started


def _project(folder: Path, clips: int, sections: int, size: int) -> Project:
    """Two chains of ``clips`` clips each, one after the other on one track (a fresh clip starts a chain)."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).resize((size, size)).save(folder / "start.png")
    project = new_project(folder / "chains.otio", rate=30.0)
    params = {"latent_window_size": 3, "steps": 4}
    for chain in range(2):
        for index in range(clips):
            carried = index > 0
            frames = sections * 12 + (0 if carried else 1)
            recipe = Recipe(
                f"chain {chain} clip {index}",
                10 * chain + index,
                frames,
                width=size,
                height=size,
                image=None if carried else "start.png",
                params=params,
                context=ContextMode.CARRY if carried else ContextMode.FRESH,
            )
            add_clip(project, recipe)
    save_project(project)
    return project


if __name__ == "__main__":
    sys.exit(main())
