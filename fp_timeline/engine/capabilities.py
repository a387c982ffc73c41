"""What a generator declares under protocol v2, with the defaults a v1 generator gets.

Everything the engine, CLI and window need to know about a generator is read here, so none of them
holds generator-specific code: media fields, neighbour dependencies, accepted contexts, the settings
schemas and releasing models.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fp_timeline.engine.generator import Dependency, Generator, MediaInput
from fp_timeline.engine.schema import Setting
from fp_timeline.project.document import Project
from fp_timeline.project.media_fields import START_IMAGE, media_values
from fp_timeline.project.recipe import ContextMode, Recipe


def media_inputs(generator: Generator) -> tuple[MediaInput, ...]:
    """The start image plus every media field the generator declares."""
    declared = tuple(getattr(generator, "inputs", ()))
    if any(i.field == START_IMAGE for i in declared):
        return declared
    return (MediaInput(START_IMAGE, "image", "start image"), *declared)


def media_fields(generator: Generator) -> tuple[str, ...]:
    return tuple(i.field for i in media_inputs(generator))


def dependencies(generator: Generator, recipe: Recipe) -> frozenset[Dependency]:
    """What this clip needs from its neighbours; v1 generators: the previous context when carrying."""
    declared = getattr(generator, "dependencies", None)
    if declared is not None:
        return frozenset(Dependency(d) for d in declared(recipe))
    return frozenset({Dependency.PREVIOUS_CONTEXT}) if recipe.carries else frozenset()


_NEED_WORDS = {
    Dependency.PREVIOUS_CONTEXT: "carries the previous clip's context",
    Dependency.PREVIOUS_LAST_FRAME: "starts on the previous take's last frame",
    Dependency.NEXT_FIRST_FRAME: "ends on the next take's first frame",
}


def describe_needs(needs: frozenset[Dependency] | set[Dependency]) -> str:
    """What a clip takes from its neighbours, in words ("" when nothing): a bridge "starts on the previous
    take's last frame and ends on the next take's first frame"."""
    return " and ".join(words for dependency, words in _NEED_WORDS.items() if dependency in needs)


def carried_needs(generator: Generator) -> frozenset[Dependency]:
    """What a carried clip of this generator without a start image takes from its neighbours."""
    generator_id = str(getattr(generator, "id", ""))
    return dependencies(generator, Recipe("", 0, 1, generator=generator_id, context=ContextMode.CARRY))


def accepts_contexts(generator: Generator) -> tuple[str, ...]:
    """Generator ids whose outgoing contexts this one continues (``VIDEO_CONTEXT``: any video)."""
    return tuple(getattr(generator, "accepts_contexts", (generator.id,)))


def params_schema(generator: Generator) -> Sequence[Setting] | None:
    """The recipe params schema; None for a v1 generator (its ``validate`` checks params itself)."""
    return getattr(generator, "params_schema", None)


def options_schema(generator: Generator) -> Sequence[Setting]:
    return tuple(getattr(generator, "options_schema", ()))


def release(generator: Generator) -> bool:
    """Ask the generator to free its models; False when it has nothing to release."""
    free = getattr(generator, "release", None)
    if free is None:
        return False
    free()
    return True


def native_fps(generator: Generator) -> float | None:
    """The frame rate the generator makes (F1: 30, Wan: 16); None when it follows the timeline."""
    return getattr(generator, "native_fps", None)


def label(generator: Generator) -> str:
    return str(getattr(generator, "label", generator.id))


def resolved_media(project: Project, generator: Generator, recipe: Recipe) -> dict[str, Path]:
    """Every media path the generator declares, as stored in the recipe -> absolute on this machine."""
    metadata = recipe.to_metadata()
    found: dict[str, Path] = {}
    for field in media_fields(generator):
        for _location, stored in media_values(metadata, field):
            found[stored] = project.resolve(stored)
    return found
