"""The Ray executor, when Ray is installed: Ray is heavy and an optional extra, so ``ray_executor`` imports
``ray_executor.RayExecutor`` (and Ray) only when asked for one, and says what to install when it is missing.
Kept apart from ``executor`` (the interface every executor imports), so that no import goes round in a circle.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from fp_timeline.engine.executor import Executor
from fp_timeline.project.errors import Problem, ProjectError

RAY_INSTALL_HINT = 'rendering on Ray needs Ray, an optional extra: pip install "fp-timeline[ray]"'


def ray_executor(address: str | None = None, **options: Any) -> Executor:
    """A ``RayExecutor`` for ``address`` (None: a cluster on this machine); a clear error without Ray."""
    if importlib.util.find_spec("ray") is None:
        raise ProjectError(Problem(RAY_INSTALL_HINT))
    from fp_timeline.engine.ray_executor import RayExecutor  # only now: Ray is heavy and optional

    return RayExecutor(address, **options)
