"""Recipes for new clips, one way for every caller: ``fp-timeline add``, an image dropped on the window's
timeline, and extending a shot (CLI and window).

Each setting comes from the first of: what the caller chose; what the generator prefers (its native rate,
the size it picks for a start image: F1's nearest FramePack bucket); the neighbouring clip ``like`` (its
size, and its rate and settings when it uses the same generator); the timeline rate and 640x640.  The frame
count is snapped with the finished recipe (its params may set the section length), and the recipe is
checked as a stored one is (``Recipe.from_metadata``), so a bad seed or size is a ``ProjectError`` naming
its field.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from PIL import Image

from fp_timeline.engine import capabilities
from fp_timeline.engine.generator import SizesFromImage
from fp_timeline.engine.registry import load_generator
from fp_timeline.project.document import Project
from fp_timeline.project.recipe import DEFAULT_GENERATOR, SEED_MAX, ContextMode, NoiseMode, Recipe

DEFAULT_SIZE = (640, 640)


def new_clip_recipe(
    project: Project,
    *,
    prompt: str,
    seconds: float,
    generator: str | None = None,
    like: Recipe | None = None,
    image: Path | None = None,
    size: tuple[int, int] | None = None,
    seed: int | None = None,
    carry: bool = False,
    continue_noise: bool = False,
    params: dict[str, Any] | None = None,
    clip: str | None = None,
) -> Recipe:
    """The recipe of a new clip (``clip`` names it in errors); ``image`` is a path on this machine.

    ``params`` None: the neighbour's when it uses the same generator, else none.  A random seed when
    ``seed`` is None.  A carried clip is not sized from an image: it continues its upstream's picture."""
    generator = generator or (like.generator if like is not None else DEFAULT_GENERATOR)
    chosen = load_generator(generator)
    same = like is not None and like.generator == generator
    neighbour_size = (like.width, like.height) if like is not None else DEFAULT_SIZE
    width, height = size or _image_size(chosen, None if carry else image) or neighbour_size
    fps = capabilities.native_fps(chosen) or (like.fps if same else project.rate)
    if params is None:
        params = dict(like.params) if same else {}
    recipe = Recipe(
        prompt=prompt,
        seed=random.randint(0, SEED_MAX) if seed is None else seed,
        frames=1,
        width=width,
        height=height,
        fps=fps,
        image=project.relative(image) if image is not None else None,
        generator=generator,
        params=params,
        context=ContextMode.CARRY if carry else ContextMode.FRESH,
        noise=NoiseMode.CONTINUE if continue_noise else NoiseMode.OWN,
    )
    recipe = recipe.replace(frames=chosen.snap_frames(max(1, round(seconds * fps)), carried=carry, recipe=recipe))
    return Recipe.from_metadata(recipe.to_metadata(), clip=clip)


def _image_size(generator: object, image: Path | None) -> tuple[int, int] | None:
    """The size ``generator`` picks for a clip starting from ``image``, or None when it has no preference or
    the image cannot be read (an unreadable image is reported with the recipe)."""
    if image is None or not isinstance(generator, SizesFromImage) or not image.is_file():
        return None
    try:
        with Image.open(image) as opened:
            return generator.size_for_image(*opened.size)
    except OSError:
        return None
