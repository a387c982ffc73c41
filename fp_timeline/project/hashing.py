"""Recipe hashes: the identity of a render, known before anything renders.

``recipe_hash = H(recipe, start image bytes, generator id + version, upstream hash if carry)``.
The "version" a caller passes (``version_of``) also covers the generator's runtime identity (model,
preset, dtype: ``engine.identity.versions_for``), so a take made by another model is stale too.
Carried clips include their upstream clip's hash, so changing clip k changes the hash of every
clip that carries from it: staleness propagates by construction, with no bookkeeping.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path

import opentimelineio as otio

from fp_timeline.project.document import Project
from fp_timeline.project.media_fields import START_IMAGE, MediaFieldsOf, image_only, map_media, media_values
from fp_timeline.project.media_url import media_file
from fp_timeline.project.recipe import METADATA_KEY, NoiseMode, Recipe
from fp_timeline.project.takes import active_take, takes_of
from fp_timeline.project.upstream import clips_with_upstream

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


def recipe_hash(
    recipe: Recipe,
    image_digest: str | None,
    generator_version: str,
    upstream: str | None,
    media_digests: dict[str, dict[str, str]] | None = None,
) -> str:
    """``media_digests``: for the generator's other media fields (LoRAs, end image), digest by path.

    Media count by content, not by how their paths are spelt: saving the project into another folder
    re-spells every relative path and must not make a single clip stale.
    """
    recipe_fields = recipe.to_metadata()  # a fresh dict: its top level is ours to edit
    del recipe_fields["image"]
    if any((media_digests or {}).values()):  # paths to re-spell; params nest lists: never edit the recipe's own
        recipe_fields = copy.deepcopy(recipe_fields)
    for field in media_digests or {}:
        map_media(recipe_fields, field, lambda path, field=field: "sha256:" + media_digests[field].get(path, "missing"))
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
    frames_from: tuple[str, ...] = ()  # neighbours whose frames it starts or ends on (a bridge)


NeighbourFramesOf = Callable[[Recipe], tuple[bool, bool]]  # recipe -> (needs previous's last, next's first)


def hashed_clips(
    project: Project, version_of: Callable[[str], str], media_of: MediaFieldsOf | None = None
) -> list[HashedClip]:
    """Every generated clip, track by track in timeline order, following carry chains along each track.

    Each recipe is parsed once here, so callers that need the recipe as well as the hash use these.
    ``media_of`` names each generator's media fields; by default ``version_of.media_fields`` (the
    engine's ``versions_for`` carries them), else the start image alone.

    A carried clip hashes the *generation* before it, not how that generation is cut: a clip that
    continues its upstream's noise with the same recipe (only the length differs, no image of its own)
    is the same generation made longer, so what carries from it hashes as if the two were one clip.
    That is why a razor cut on a rendered clip (``engine.split``) leaves everything after it rendered.
    """
    media_of = media_of or getattr(version_of, "media_fields", image_only)
    frames_of: NeighbourFramesOf | None = getattr(version_of, "neighbour_frames", None)
    found: list[HashedClip] = []
    for track in project.tracks():
        previous_hash: str | None = None  # the upstream clip's own hash: which of its takes to continue
        generation: _Generation | None = None  # the generation it ended, for what carries from it
        for item, before in clips_with_upstream(track):
            if METADATA_KEY not in item.metadata:  # an imported video: a carried clip after it continues it
                previous_hash = media_identity(project, item)
                generation = _Generation.imported(previous_hash)
                continue
            recipe = project.recipe(item)
            image = project.resolve(recipe.image) if recipe.image else None
            digest = file_digest(image) if image is not None and image.is_file() else None
            version = version_of(recipe.generator)
            others = media_digests(project, recipe, media_of(recipe.generator))
            # A carried clip that starts on the previous take's last frame (a bridge) reads no context.
            carries = recipe.carries and not (frames_of is not None and frames_of(recipe)[0])
            upstream_identity = generation.hash if generation is not None and carries else None
            current = recipe_hash(recipe, digest, version, upstream_identity, others)
            found.append(
                HashedClip(
                    clip=item,
                    track=track.name,
                    recipe=recipe,
                    hash=current,
                    upstream=before.name if carries and before is not None else None,
                    upstream_hash=previous_hash if carries else None,
                )
            )
            if generation is not None and carries and generation.continued_by(recipe):
                generation = generation.longer(recipe.frames)
            else:
                generation = _Generation(recipe, digest, version, upstream_identity, current, others)
            previous_hash = current
    return _with_neighbour_frames(project, found, frames_of) if frames_of is not None else found


def _with_neighbour_frames(project: Project, found: list[HashedClip], frames_of: NeighbourFramesOf) -> list[HashedClip]:
    """Fold the hashes of the neighbours a clip takes frames from into its own (a bridge is stale when
    either neighbour changes).  A second pass: the next clip's hash is known only after the walk."""
    by_name = {h.clip.name: h for h in found}
    result = []
    for hashed in found:
        wants_previous, wants_next = frames_of(hashed.recipe)
        if not (wants_previous or wants_next):
            result.append(hashed)
            continue
        track = next(t for t in project.tracks() if t.name == hashed.track)
        clips = [item for item in track if isinstance(item, otio.schema.Clip)]
        index = next(i for i, c in enumerate(clips) if c is hashed.clip)
        picked = []
        if wants_previous and index > 0:
            picked.append(clips[index - 1])
        if wants_next and index + 1 < len(clips):
            picked.append(clips[index + 1])
        identities = [by_name[c.name].hash if c.name in by_name else media_identity(project, c) for c in picked]
        text = json.dumps([hashed.hash, [c.name for c in picked], identities])
        folded = hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]
        result.append(dataclasses.replace(hashed, hash=folded, frames_from=tuple(c.name for c in picked)))
    return result


@dataclass(frozen=True)
class _Generation:
    """A run of clips that is one generation: its first recipe, made as long as the whole run."""

    recipe: Recipe | None  # None: an imported video
    image_digest: str | None
    version: str
    upstream: str | None
    hash: str | None  # what a clip carrying from the run hashes as its upstream
    others: dict | None = None  # digests of its other media (``media_digests``)

    @classmethod
    def imported(cls, identity: str | None) -> _Generation:
        return cls(None, None, "", None, identity)

    def continued_by(self, recipe: Recipe) -> bool:
        """Whether ``recipe`` only makes this generation longer (same settings, continued noise, no image)."""
        if self.recipe is None or not recipe.carries or recipe.noise is not NoiseMode.CONTINUE or recipe.image:
            return False
        same = self.recipe.replace(frames=recipe.frames, context=recipe.context, noise=recipe.noise, image=None)
        return same == recipe

    def longer(self, frames: int) -> _Generation:
        recipe = self.recipe.replace(frames=self.recipe.frames + frames)
        identity = recipe_hash(recipe, self.image_digest, self.version, self.upstream, self.others)
        return replace(self, recipe=recipe, hash=identity)


def recipe_hashes(
    project: Project, version_of: Callable[[str], str], media_of: MediaFieldsOf | None = None
) -> dict[str, str]:
    """Every generated clip's recipe hash, by clip name, following carry chains along each track."""
    return {hashed.clip.name: hashed.hash for hashed in hashed_clips(project, version_of, media_of)}


def media_digests(project: Project, recipe: Recipe, fields: Sequence[str]) -> dict[str, dict[str, str]]:
    """Content digests of the recipe's media besides the start image, by field then path."""
    found: dict[str, dict[str, str]] = {}
    if all(field == START_IMAGE for field in fields):
        return found  # the start image is hashed on its own (``image_digest``)
    metadata = recipe.to_metadata()
    for field in fields:
        if field == START_IMAGE:
            continue
        digests: dict[str, str] = {}
        for _location, stored in media_values(metadata, field):
            path = project.resolve(stored)
            digests[stored] = file_digest(path) if path.is_file() else "missing"
        found[field] = digests
    return found


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
