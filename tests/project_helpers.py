"""Small projects built in a temp folder for tests: real images, real .otio files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from fp_timeline.project.document import Project, new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.recipe import ContextMode, Recipe


def write_image(path: Path, seed: int = 0, size: tuple[int, int] = (64, 48)) -> Path:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path)
    return path


def chain_project(folder: Path, clips: int = 3, generator: str = "animatic", frames: int = 12) -> Project:
    """A fresh clip followed by ``clips - 1`` carried clips, saved at ``folder/chain.otio``."""
    write_image(folder / "images" / "start.png")
    project = new_project(folder / "chain.otio")
    for i in range(clips):
        add_clip(
            project,
            Recipe(
                prompt=f"motion {i}",
                seed=100 + i,
                frames=frames,
                width=32,
                height=32,
                image="images/start.png" if i == 0 else None,
                generator=generator,
                context=ContextMode.FRESH if i == 0 else ContextMode.CARRY,
            ),
        )
    save_project(project)
    return project
