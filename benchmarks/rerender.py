"""Rerender and extend costs, measured side by side in one run.

1. (rerender one of N clips) / (full render of the N clips): target <= 1.2 / N.
   The cost of a change should be the clip that changed, not the timeline.
2. extend by one section after a 10-section shot / after a 1-section shot: target <= 1.1.
   The packed context has a fixed size, so continuing a long shot costs what continuing a short one does.

Uses FramePack F1's tiny preset (real model classes and loop, random weights) when the plugin loads,
else the animatic (with a note).  Times are CPU seconds of the process (see ``_timed``), the best of
``--repeats`` runs (the least disturbed by the neighbours), in one warm process (models loaded once,
as in the GUI); each CLI command would add the model loading to both sides.

    python benchmarks/rerender.py [--clips 4] [--repeats 3] [--generator framepack_f1|animatic]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# One compute thread: on a shared 2-core machine, idle-spinning OpenMP threads otherwise bill CPU time
# for waiting, which swamps the ratios.  Set before torch is imported (by the plugin, on first use).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from fp_timeline.engine.extend import add_extension  # noqa: E402
from fp_timeline.engine.planner import plan_render  # noqa: E402
from fp_timeline.engine.registry import load_generator  # noqa: E402
from fp_timeline.engine.renderer import render_project  # noqa: E402
from fp_timeline.project.document import Project, new_project, save_project  # noqa: E402
from fp_timeline.project.edits import add_clip  # noqa: E402
from fp_timeline.project.errors import ProjectError  # noqa: E402
from fp_timeline.project.recipe import ContextMode, Recipe  # noqa: E402

SIZE = {"width": 144, "height": 96, "fps": 30.0}
OPTIONS = {"preset": "tiny", "device": "cpu"}
# F1 appends 4 * latent_window_size (9) = 36 frames a section; for the animatic 36 frames stand in for one.
SECTION_FRAMES = 36


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=None, help="default: 3 (F1), 15 (animatic: ms-scale)")
    parser.add_argument("--long", type=int, default=10, help="sections of the long shot to extend")
    parser.add_argument("--generator", default=None, help="default: framepack_f1 if it loads, else animatic")
    args = parser.parse_args()

    generator_id = args.generator or _pick_generator()
    repeats = args.repeats or (3 if generator_id == "framepack_f1" else 15)
    print(f"generator: {generator_id}" + (" (tiny preset, CPU)" if generator_id == "framepack_f1" else ""))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        image = _image(folder / "start.png")
        _warm_up(folder / "warm", image, generator_id)
        ok_rerender = _rerender(folder / "rerender", image, generator_id, args.clips, repeats)
        ok_extend = _extend(folder / "extend", image, generator_id, args.long, repeats)
    return 0 if ok_rerender and ok_extend else 1


def _pick_generator() -> str:
    try:
        load_generator("framepack_f1")
    except (ProjectError, ImportError, TypeError) as err:
        print(f"note: FramePack F1 plugin not available ({err}); measuring with the animatic instead")
        return "animatic"
    return "framepack_f1"


def _rerender(folder: Path, image: Path, generator_id: str, clips: int, repeats: int) -> bool:
    fulls, ones = [], []
    for run in range(repeats):
        project = _project(folder / f"run{run}", image, generator_id, [1] * clips)
        fulls.append(_timed(project, None))
        target = [c.name for c in project.generated_clips()][clips // 2]  # a middle clip: downstream stays
        ones.append(_timed(project, [target]))
    full, one = min(fulls), min(ones)
    ratio, target = one / full, 1.2 / clips
    print(
        f"rerender 1 of {clips} clips: {one:.2f} s / full render {full:.2f} s (CPU) = {ratio:.3f} "
        f"(target <= 1.2/N = {target:.3f}) {'OK' if ratio <= target else 'OVER'}"
    )
    return ratio <= target


def _extend(folder: Path, image: Path, generator_id: str, long: int, repeats: int) -> bool:
    extensions = {}
    for sections in (1, long):
        project = _project(folder / f"s{sections}", image, generator_id, [sections])
        render_project(project, plan_render(project), OPTIONS)
        base = project.recipe(next(project.generated_clips()))
        new = add_extension(project, "shot_010", seconds=SECTION_FRAMES / base.fps, prompt="it goes on")
        save_project(project)
        extensions[sections] = (project, new.name)
    # Interleaved, so a slow spell of the machine falls on both sides rather than on one.
    times: dict[int, list[float]] = {sections: [] for sections in extensions}
    for _ in range(repeats):
        for sections, (project, name) in extensions.items():
            times[sections].append(_timed(project, [name]))
    costs = {sections: min(values) for sections, values in times.items()}
    ratio = costs[long] / costs[1]
    print(
        f"extend by 1 section: after a 1-section shot {costs[1]:.2f} s, after a {long}-section shot "
        f"{costs[long]:.2f} s (CPU): ratio {ratio:.3f} (target <= 1.1) {'OK' if ratio <= 1.1 else 'OVER'}"
    )
    return ratio <= 1.1


def _timed(project: Project, targets: list[str] | None) -> float:
    """CPU seconds of this process (all its threads): on a shared machine wall time mostly measures
    the neighbours; with the machine to itself the two agree."""
    started = time.process_time()
    render_project(project, plan_render(project, targets), OPTIONS)
    return time.process_time() - started


def _project(folder: Path, image: Path, generator_id: str, sections: list[int]) -> Project:
    """A fresh clip then carried clips, ``sections[i]`` generator sections each."""
    folder.mkdir(parents=True)
    project = new_project(folder / "bench.otio", rate=SIZE["fps"])
    generator = load_generator(generator_id)
    for i, count in enumerate(sections):
        carried = i > 0
        frames = generator.snap_frames(count * SECTION_FRAMES, carried)
        recipe = Recipe(
            f"motion {i}",
            i + 1,
            frames,
            image=str(image) if not carried else None,
            generator=generator_id,
            context=ContextMode.CARRY if carried else ContextMode.FRESH,
            **SIZE,
        )
        add_clip(project, recipe)
    save_project(project)
    return project


def _warm_up(folder: Path, image: Path, generator_id: str) -> None:
    """Load the models once so that neither side of a ratio pays for it."""
    project = _project(folder, image, generator_id, [1])
    render_project(project, plan_render(project), OPTIONS)


def _image(path: Path) -> Path:
    y, x = np.mgrid[0:192, 0:288]
    rgb = np.stack([x % 256, y % 256, (x + y) % 256], axis=-1).astype(np.uint8)
    Image.fromarray(rgb).save(path)
    return path


if __name__ == "__main__":
    sys.exit(main())
