"""Optional TeaCache-style step skipping, per section.

FramePack's TeaCache skips the transformer's blocks on steps where the input barely changed.  We use the
same idea as diffusers provides it for this model class: First Block Cache (ParaAttention) runs the first
block and, when its residual moved less than ``threshold`` (relative mean abs) since the last full pass,
reuses the cached residual of the remaining blocks.  It is lossy, hence off by default.  The cache is
attached for one section and removed afterwards, so its state never leaks into the next section or render.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from .config import FramePackF1Config


@contextmanager
def step_cache(transformer: torch.nn.Module, config: FramePackF1Config) -> Iterator[None]:
    """Within the block, ``transformer`` skips blocks as configured (no-op unless ``config.teacache``)."""
    if not config.teacache:
        yield
        return
    from diffusers import FirstBlockCacheConfig

    transformer.enable_cache(FirstBlockCacheConfig(threshold=config.teacache_threshold))
    try:
        with transformer.cache_context("f1_section"):
            yield
    finally:
        transformer.disable_cache()
