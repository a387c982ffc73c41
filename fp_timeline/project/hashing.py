"""Recipe hashes: the identity of a render, known before anything renders.

``recipe_hash = H(recipe, start image bytes, generator id + version, upstream hash if carry)``.
The "version" a caller passes (``version_of``) also covers the generator's runtime identity (model,
preset, dtype: ``engine.identity.versions_for``), so a take made by another model is stale too.
Carried clips include their upstream clip's hash, so changing clip k changes the hash of every
clip that carries from it: staleness propagates by construction, with no bookkeeping.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import opentimelineio as otio

from fp_timeline.project.document import Project
from fp_timeline.project.media_url import media_file
from fp_timeline.project.recipe import METADATA_KEY, Recipe
from fp_timeline.project.takes import active_take, takes_of

HASH_LENGTH = 16  # hex digits kept: short enough to read, long enough never to collide in a project


class ClipState(str, Enum):
    UNRENDERED = "unrendered"  # no take at all
    STALE = "stale"  # the active take was rendered from another recipe (or upstream)
    RENDERED = "rendered"  # the active take matches the current recipe hash


def file_digest(path: Path) -> str:
    stat = path.stat()
    return _file_digest_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)
def _file_digest_cached(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recipe_hash(recipe: Recipe, image_digest: str | None, generator_version: str, upstream: str | None) -> str:
    # The start image counts by its content, not by how its path is spelt: saving the project into
    # another folder re-spells every relative path and must not make a single clip stale.
    recipe_fields = recipe.to_metadata()
    del recipe_fields["image"]
    payload = {
        "recipe": recipe_fields,
        "image_sha256": None if recipe.image is None else (image_digest or "missing"),
        "generator": [recipe.generator, generator_version],
        "upstream": upstream if recipe.carries else None,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True)
class HashedClip:
    """A generated clip with its parsed recipe, its recipe hash and the clip it carries from."""

    clip: otio.schema.Clip
    track: str
    recipe: Recipe
    hash: str
    upstream: str | None  # the clip before it on its track (generated or imported) when it carries
    upstream_hash: str | None


def hashed_clips(project: Project, version_of: Callable[[str], str]) -> list[HashedClip]:
    """Every generated clip, track by track in timeline order, following carry chains along each track.

    Each recipe is parsed once here, so callers that need the recipe as well as the hash use these.
    """
    found: list[HashedClip] = []
    for track in project.tracks():
        previous: str | None = None
        previous_hash: str | None = None
        for item in track:
            if not isinstance(item, otio.schema.Clip):
                continue
            if METADATA_KEY not in item.metadata:  # an imported video: a carried clip after it continues it
                previous, previous_hash = item.name, media_identity(project, item)
                continue
            recipe = project.recipe(item)
            image = project.resolve(recipe.image) if recipe.image else None
            digest = file_digest(image) if image is not None and image.is_file() else None
            current = recipe_hash(recipe, digest, version_of(recipe.generator), previous_hash)
            found.append(
                HashedClip(
                    clip=item,
                    track=track.name,
                    recipe=recipe,
                    hash=current,
                    upstream=previous if recipe.carries else None,
                    upstream_hash=previous_hash if recipe.carries else None,
                )
            )
            previous, previous_hash = item.name, current
    return found


def recipe_hashes(project: Project, version_of: Callable[[str], str]) -> dict[str, str]:
    """Every generated clip's recipe hash, by clip name, following carry chains along each track."""
    return {hashed.clip.name: hashed.hash for hashed in hashed_clips(project, version_of)}


def media_identity(project: Project, clip: otio.schema.Clip) -> str | None:
    """Identity of a plain (imported) clip's video up to its out point; None without a file reference."""
    ref = clip.media_reference
    if not isinstance(ref, otio.schema.ExternalReference) or not ref.target_url:
        return None
    path = media_file(project.folder, ref.target_url)
    digest = file_digest(path) if path.is_file() else f"missing:{ref.target_url}"
    out_point = clip.trimmed_range().end_time_exclusive().to_seconds()
    return hashlib.sha256(f"{digest}|{out_point!r}".encode()).hexdigest()[:HASH_LENGTH]


def clip_state(clip: otio.schema.Clip, current_hash: str) -> ClipState:
    take = active_take(clip)
    if take is None:
        return ClipState.UNRENDERED if not takes_of(clip) else ClipState.STALE
    return ClipState.RENDERED if take.recipe_hash == current_hash else ClipState.STALE
