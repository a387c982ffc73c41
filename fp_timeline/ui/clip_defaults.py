"""Recipes for clips the user adds by hand (dropping an image, extending a shot): sensible defaults
taken from the neighbouring clip, so a new clip matches its sequence's size, rate and generator."""

from __future__ import annotations

from pathlib import Path

from fp_timeline.engine.clip_recipes import new_clip_recipe
from fp_timeline.project.document import Project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import Recipe

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
    """A fresh clip starting from ``image``, like clip ``near`` (or the last clip): ``new_clip_recipe``."""
    like = neighbour_recipe(project, near)
    return new_clip_recipe(project, prompt=DEFAULT_PROMPT, seconds=DEFAULT_SECONDS, like=like, image=image)


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES
