"""Optional step skipping, per section: TeaCache-style First Block Cache, or MagCache.

FramePack's TeaCache skips the transformer's blocks on steps where the input barely changed.  We use the
same idea as diffusers provides it for this model class: First Block Cache (ParaAttention) runs the first
block and, when its residual moved less than ``threshold`` (relative mean abs) since the last full pass,
reuses the cached residual of the remaining blocks.  It is lossy, hence off by default.  The cache is
attached for one section and removed afterwards, so its state never leaks into the next section or render.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch

from .config import FramePackF1Config


@contextmanager
def step_cache(
    transformer: torch.nn.Module, config: FramePackF1Config, mag_ratios: Callable[[], list[float]] | None = None
) -> Iterator[None]:
    """Within the block, ``transformer`` skips blocks as configured (no-op unless ``config.teacache`` or
    ``config.magcache``; MagCache needs the model's ``mag_ratios``, see ``magcache.py``)."""
    if config.magcache:
        from diffusers import MagCacheConfig

        cache = MagCacheConfig(
            threshold=config.magcache_threshold,
            max_skip_steps=config.magcache_max_skip,
            retention_ratio=config.magcache_retention,
            num_inference_steps=config.steps,
            mag_ratios=mag_ratios(),
        )
    elif config.teacache:
        from diffusers import FirstBlockCacheConfig

        cache = FirstBlockCacheConfig(threshold=config.teacache_threshold)
    else:
        yield
        return
    transformer.enable_cache(cache)
    try:
        with transformer.cache_context("f1_section"):
            yield
    finally:
        transformer.disable_cache()
