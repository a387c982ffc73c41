"""Takes: rendered results kept as extra media references on a clip, one per take, never overwritten.

A generated clip holds ``{"GENERATOR": GeneratorReference(recipe), "take_001": ExternalReference, ...}``
and ``active_media_reference_key`` names the take in use (``GENERATOR`` while nothing is rendered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import opentimelineio as otio

from fp_timeline.project.recipe import METADATA_KEY, Recipe, plain_value

if TYPE_CHECKING:  # the document imports takes; a take's recipe only needs a Project's methods
    from fp_timeline.project.document import Project

GENERATOR_KEY = "GENERATOR"
_TAKE_KEY = re.compile(r"^take_(\d{3,})$")


@dataclass(frozen=True)
class Take:
    """One rendered take of a clip.  Paths are project-relative, POSIX separators."""

    key: str
    media: str  # the take's video file
    recipe_hash: str  # the recipe hash it was rendered from
    frames: int
    rate: float
    context: str | None = None  # outgoing packed context beside the take
    created: str = ""  # ISO 8601 UTC
    model: str = ""  # which model made it, in words ("the tiny preset (float32)"); "" for older takes
    identity: str = ""  # digest of the generator's runtime identity when it was made
    recipe: dict[str, Any] | None = field(default=None, compare=False)  # the recipe it was made from

    @property
    def seed(self) -> int | None:
        return self.recipe.get("seed") if self.recipe else None

    @property
    def number(self) -> int:
        match = _TAKE_KEY.match(self.key)
        return int(match.group(1)) if match else 0


def take_to_reference(take: Take) -> otio.schema.ExternalReference:
    ref = otio.schema.ExternalReference(
        target_url=take.media,
        available_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, take.rate), otio.opentime.RationalTime(take.frames, take.rate)
        ),
    )
    ref.name = take.key
    meta: dict[str, Any] = {
        "recipe_hash": take.recipe_hash,
        "context": take.context,
        "frames": take.frames,
        "created": take.created,
    }
    if take.identity:
        meta |= {"model": take.model, "identity": take.identity}
    if take.recipe is not None:
        meta["recipe"] = take.recipe
    ref.metadata[METADATA_KEY] = meta
    return ref


def takes_of(clip: otio.schema.Clip) -> list[Take]:
    """The clip's takes, oldest first."""
    found = []
    for key, ref in clip.media_references().items():
        if not _TAKE_KEY.match(key) or not isinstance(ref, otio.schema.ExternalReference):
            continue
        meta = ref.metadata.get(METADATA_KEY, {})
        rng = ref.available_range
        found.append(
            Take(
                key=key,
                media=ref.target_url,
                recipe_hash=str(meta.get("recipe_hash", "")),
                frames=int(meta.get("frames", rng.duration.value if rng else 0)),
                rate=float(rng.duration.rate) if rng else 30.0,
                context=meta.get("context"),
                created=str(meta.get("created", "")),
                model=str(meta.get("model", "")),
                identity=str(meta.get("identity", "")),
                recipe=plain_value(meta["recipe"]) if hasattr(meta.get("recipe"), "items") else None,
            )
        )
    return sorted(found, key=lambda t: t.number)


def active_take(clip: otio.schema.Clip) -> Take | None:
    key = clip.active_media_reference_key
    if not _TAKE_KEY.match(key):  # the generator reference (unrendered): no need to read every take
        return None
    return next((t for t in takes_of(clip) if t.key == key), None)


def add_take(clip: otio.schema.Clip, take: Take) -> None:
    """Append a take and make it active.  Refuses to replace an existing take."""
    refs = dict(clip.media_references())
    if take.key in refs:
        raise ValueError(f"clip {clip.name!r} already has a take {take.key!r}; takes are never overwritten")
    refs[take.key] = take_to_reference(take)
    clip.set_media_references(refs, take.key)


def use_take(clip: otio.schema.Clip, key: str) -> None:
    """Switch the active take; ``GENERATOR`` makes the clip show as unrendered."""
    if key not in clip.media_references():
        keys = ", ".join(t.key for t in takes_of(clip)) or "none"
        raise KeyError(f"clip {clip.name!r} has no take {key!r} (takes: {keys})")
    clip.active_media_reference_key = key


def take_recipe(project: Project, clip: otio.schema.Clip, take: Take) -> Recipe | None:
    """The recipe ``take`` was made from, as the clip's recipe now (None for takes made before takes
    recorded it).  A start image that no longer resolves (the project was saved elsewhere since) keeps
    the clip's current image: the image counts by content, so the take still matches."""
    if take.recipe is None:
        return None
    recipe = Recipe.from_metadata(take.recipe, clip=clip.name)
    current = project.recipe(clip)
    if recipe.image and not project.resolve(recipe.image).is_file() and current.image:
        recipe = recipe.replace(image=current.image)
    return recipe
