"""Small projects for engine and render-CLI tests: animatic clips on a tiny image, no torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from fp_timeline.project.document import Project, new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.recipe import ContextMode, NoiseMode, Recipe

SIZE = {"width": 64, "height": 48, "fps": 24.0}


def write_image(path: Path, seed: int = 0) -> Path:
    """A smooth colourful test image (gradients + a few blobs), deterministic per seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:120, 0:160].astype(np.float64)
    channels = [np.sin(x / rng.uniform(8, 20) + rng.uniform(0, 6)) + np.cos(y / rng.uniform(8, 20)) for _ in range(3)]
    rgb = np.stack([(c - c.min()) / (c.max() - c.min()) * 255 for c in channels], axis=-1).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path)
    return path


def animatic_recipe(frames: int, seed: int = 1, image: str | None = "start.png", **changes) -> Recipe:
    context = ContextMode.CARRY if image is None else ContextMode.FRESH
    recipe = Recipe(f"shot seed {seed}", seed, frames, image=image, generator="animatic", context=context, **SIZE)
    return recipe.replace(**changes)


def chain_project(folder: Path, lengths: tuple[int, ...] = (12, 8, 8), continue_noise: bool = False) -> Project:
    """One fresh clip, then carried clips: shot_010 -> shot_020 -> ... on track V1, saved."""
    write_image(folder / "start.png")
    project = new_project(folder / "demo.otio", rate=SIZE["fps"])
    for i, frames in enumerate(lengths):
        if i == 0:
            add_clip(project, animatic_recipe(frames, seed=1))
        else:
            noise = NoiseMode.CONTINUE if continue_noise else NoiseMode.OWN
            add_clip(project, animatic_recipe(frames, seed=1 + i, image=None, noise=noise))
    save_project(project)
    return project
