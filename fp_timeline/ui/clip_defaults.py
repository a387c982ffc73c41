"""Recipes for clips the user adds by hand (dropping an image, extending a shot): sensible defaults
taken from the neighbouring clip, so a new clip matches its sequence's size, rate and generator."""

from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtGui import QImageReader

from fp_timeline.engine.generator import SizesFromImage
from fp_timeline.engine.registry import load_generator, snap_frames
from fp_timeline.project.document import Project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import DEFAULT_GENERATOR, SEED_MAX, Recipe

DEFAULT_SECONDS = 2.0
DEFAULT_PROMPT = "gentle, natural motion"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
IMAGE_FILTER = f"Images ({' '.join('*' + suffix for suffix in IMAGE_SUFFIXES)})"  # for file dialogs


def neighbour_recipe(project: Project, near: str | None = None) -> Recipe | None:
    """The recipe of clip ``near`` (or the last clip), to copy size, rate and generator from."""
    clips = list(project.generated_clips())
    chosen = next((c for c in clips if c.name == near), clips[-1] if clips else None)
    if chosen is None:
        return None
    try:
        return project.recipe(chosen)
    except ProjectError:
        return None


def image_clip_recipe(project: Project, image: Path, near: str | None = None) -> Recipe:
    """A fresh clip starting from ``image``."""
    like = neighbour_recipe(project, near)
    generator = like.generator if like else DEFAULT_GENERATOR
    fps = like.fps if like else project.rate
    width, height = image_size(generator, image) or ((like.width, like.height) if like else (640, 640))
    return Recipe(
        prompt=DEFAULT_PROMPT,
        seed=random.randint(0, SEED_MAX),
        frames=snap_frames(generator, round(DEFAULT_SECONDS * fps), carried=False),
        width=width,
        height=height,
        fps=fps,
        image=project.relative(image),
        generator=generator,
        params=dict(like.params) if like else {},
    )


def image_size(generator: str, image: Path) -> tuple[int, int] | None:
    """The size ``generator`` picks for a clip starting from ``image`` (F1: the nearest FramePack bucket
    to its aspect), or None when it has no preference or the image cannot be read."""
    try:
        chosen = load_generator(generator)
    except ProjectError:
        return None
    if not isinstance(chosen, SizesFromImage):
        return None
    size = QImageReader(str(image)).size()
    if not size.isValid() or size.isEmpty():
        return None
    return chosen.size_for_image(size.width(), size.height())


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES
