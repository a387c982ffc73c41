"""Find generators through the ``fp_timeline.generators`` entry point group.

The engine never imports a plugin by name: third parties add a generator by declaring an entry
point ``<id> = "package.module:Class"`` in their own distribution.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from fp_timeline.engine.generator import Generator
from fp_timeline.project.errors import Problem, ProjectError

ENTRY_POINT_GROUP = "fp_timeline.generators"


def generator_ids() -> list[str]:
    """Ids of every installed generator, sorted."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


@cache
def load_generator(generator_id: str) -> Generator:
    """The generator registered under ``generator_id``; one instance per process."""
    matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == generator_id]
    if not matches:
        known = ", ".join(generator_ids()) or "none installed"
        raise ProjectError(Problem(f"unknown generator {generator_id!r} (installed: {known})", field="generator"))
    try:
        generator = matches[0].load()()
    except Exception as err:  # a broken plugin must not take the whole app down
        raise ProjectError(
            Problem(f"generator {generator_id!r} could not be loaded: {err}", field="generator")
        ) from err
    if not isinstance(generator, Generator):
        raise TypeError(f"entry point {matches[0].value} does not implement the Generator protocol")
    return generator


def generator_version(generator_id: str) -> str:
    return load_generator(generator_id).version
