"""The bridge's settings as schemas, and its length rule.  Pure Python: the engine validates without torch.

The sampling settings are F1's (``FramePackF1Config``: window, steps, guidance, sampler, shift), without
F1's step caches (calibrated for F1's forward sampling); ``end_image`` and ``loras`` are media.
"""

from __future__ import annotations

from typing import Any

from fp_timeline.engine.generator import Dependency
from fp_timeline.engine.schema import Setting
from fp_timeline.project.recipe import Recipe
from fp_timeline_plugins.framepack_f1.config import OPTIONS_SCHEMA as F1_OPTIONS
from fp_timeline_plugins.framepack_f1.config import PARAMS_SCHEMA as F1_PARAMS
from fp_timeline_plugins.framepack_f1.config import FramePackF1Config

END_IMAGE = "end_image"
MEDIA = ("loras", END_IMAGE)  # params that are files, not sampling settings
STEP_CACHES = ("teacache", "teacache_threshold", "magcache", "magcache_threshold", "magcache_max_skip")
UNSUPPORTED = (*STEP_CACHES, "magcache_retention")
END_IMAGE_SETTING = Setting(
    END_IMAGE, "str", None, "the last frame (keyframes); empty: the next clip's first frame", optional=True
)
PARAMS_SCHEMA = (
    END_IMAGE_SETTING,
    *(s for s in F1_PARAMS if s.name not in UNSUPPORTED),
)
PRESET_CHOICES = ("auto", "tiny", "toy", "real")
PRESET = Setting(
    "preset", "choice", "auto", "weights: auto (real if cached, else toy), tiny, toy, real", choices=PRESET_CHOICES
)
OPTIONS_SCHEMA = tuple(PRESET if s.name == "preset" else s for s in F1_OPTIONS)


def sampling_config(params: dict[str, Any]) -> FramePackF1Config:
    """The sampling settings of a bridge's params (media entries left out); raises ``ValueError``."""
    return FramePackF1Config.from_params({k: v for k, v in params.items() if k not in MEDIA})


def end_image(recipe: Recipe) -> str | None:
    value = recipe.params.get(END_IMAGE)
    return value if isinstance(value, str) and value else None


def neighbour_needs(recipe: Recipe) -> set[Dependency]:
    """The previous take's last frame when the clip has no start image; the next take's first frame when
    it has no end image.  A bridge needs both, a keyframes clip neither."""
    needs = set()
    if recipe.image is None:
        needs.add(Dependency.PREVIOUS_LAST_FRAME)
    if end_image(recipe) is None:
        needs.add(Dependency.NEXT_FIRST_FRAME)
    return needs
