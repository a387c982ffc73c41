"""Find generators through the ``fp_timeline.generators`` entry point group.

The engine never imports a plugin by name: third parties add a generator by declaring an entry
point ``<id> = "package.module:Class"`` in their own distribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points

from fp_timeline.engine import capabilities
from fp_timeline.engine.generator import Dependency, Generator
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import Recipe

ENTRY_POINT_GROUP = "fp_timeline.generators"


def generator_ids() -> list[str]:
    """Ids of every installed generator, sorted."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


_LOADED: dict[str, Generator] = {}


def load_generator(generator_id: str) -> Generator:
    """The generator registered under ``generator_id``; one instance per process."""
    if generator_id not in _LOADED:
        _LOADED[generator_id] = _instantiate(generator_id)
    return _LOADED[generator_id]


def _instantiate(generator_id: str) -> Generator:
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


def loaded_generators() -> list[Generator]:
    """Generators this process has instantiated (and that may hold models)."""
    return list(_LOADED.values())


def release_others(keep: str | None) -> list[str]:
    """Ask every loaded generator but ``keep`` to free its models: never two big models resident at once."""
    released = []
    for generator in loaded_generators():
        if generator.id != keep and capabilities.release(generator):
            released.append(generator.id)
    return released


def snap_frames(generator_id: str, frames: int, carried: bool, recipe: Recipe | None = None) -> int:
    """The nearest length ``generator_id`` makes (at least 1); with ``recipe``, for its settings (F1's
    latent window).  An unknown generator keeps the length: its clips are reported elsewhere."""
    try:
        return load_generator(generator_id).snap_frames(max(1, frames), carried=carried, recipe=recipe)
    except ProjectError:
        return max(1, frames)


def media_fields(generator_id: str) -> Sequence[str]:
    """The recipe fields holding media for ``generator_id`` (just the start image if it is unknown)."""
    try:
        return capabilities.media_fields(load_generator(generator_id))
    except (ProjectError, TypeError):
        return ("image",)


def neighbour_frames(recipe: Recipe) -> tuple[bool, bool]:
    """Whether ``recipe``'s clip starts on the previous clip's last frame / ends on the next clip's first."""
    try:
        needs = capabilities.dependencies(load_generator(recipe.generator), recipe)
    except (ProjectError, TypeError):
        return (False, False)
    return (Dependency.PREVIOUS_LAST_FRAME in needs, Dependency.NEXT_FIRST_FRAME in needs)


def clip_needs(recipe: Recipe) -> frozenset[Dependency]:
    """What ``recipe``'s clip takes from its neighbours, as its generator declares (an unknown generator:
    a v1 generator's default, the previous context when carrying)."""
    try:
        return capabilities.dependencies(load_generator(recipe.generator), recipe)
    except (ProjectError, TypeError):
        return frozenset({Dependency.PREVIOUS_CONTEXT}) if recipe.carries else frozenset()
