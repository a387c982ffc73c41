"""Checks that keep a render inside the project and inside sane sizes, run by ``validate`` before any model loads.

* Takes are read only from the project folder (``Project.take_file``): a take whose media or context
  points anywhere else (``/etc/passwd``, another user's files) is a problem, never "rendered".
* A start image is judged by its header (PIL reads the size without decoding the bitmap): more than
  ``MAX_IMAGE_SIDE`` px a side or ``MAX_IMAGE_PIXELS`` in all is refused before anything decodes it.
"""

from __future__ import annotations

import warnings

import opentimelineio as otio
from PIL import Image

from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import Recipe
from fp_timeline.project.takes import takes_of

MAX_IMAGE_SIDE = 16384
MAX_IMAGE_PIXELS = 64_000_000  # 8000 x 8000: decoded RGB that is 192 MB already


def take_path_problems(project: Project, clip: otio.schema.Clip) -> list[Problem]:
    """Each take of ``clip`` whose media or context lies outside the project folder."""
    problems = []
    for take in takes_of(clip):
        for what, stored in (("media", take.media), ("context", take.context)):
            if stored and project.take_file(stored) is None:
                problems.append(
                    Problem(
                        f"{take.key} {what} points outside the project folder ({stored}); it is never read",
                        file=project.path,
                        clip=clip.name,
                        field=f"takes.{take.key}.{what}",
                    )
                )
    return problems


def start_image_problems(project: Project, recipe: Recipe) -> list[Problem]:
    """A start image that is not an image, or too big to decode safely (judged from its header)."""
    if recipe.image is None:
        return []
    path = project.resolve(recipe.image)
    if not path.is_file():
        return []  # the structure check reports a missing image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:  # lazy: reads the header only
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return [Problem(f"start image {path} is too large to decode safely", field="image")]
    except Exception as err:  # PIL raises many types for files that are not images
        return [Problem(f"start image {path} is not a readable image ({type(err).__name__})", field="image")]
    if max(width, height) > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        limit = f"at most {MAX_IMAGE_SIDE} px a side and {MAX_IMAGE_PIXELS // 1_000_000} megapixels"
        return [Problem(f"start image {path} is {width}x{height}; the limit is {limit}", field="image")]
    return []
