"""Re-point a timeline's project-relative paths when the project file moves to another folder."""

from __future__ import annotations

import copy
from pathlib import Path

import opentimelineio as otio

from fp_timeline.project.effects import BUILTIN_MODEL, is_ours
from fp_timeline.project.media_fields import MediaFieldsOf, image_only, map_media
from fp_timeline.project.paths import resolve_stored, stored_path
from fp_timeline.project.recipe import METADATA_KEY


def rebased_timeline(
    timeline: otio.schema.Timeline, old_folder: Path, new_folder: Path, media_of: MediaFieldsOf = image_only
) -> otio.schema.Timeline:
    """A copy of ``timeline`` whose relative paths (media inputs, takes, contexts, weights) work from ``new_folder``.

    ``media_of`` names each generator's media fields (the engine's registry knows them all).
    """
    new = copy.deepcopy(timeline)
    if Path(old_folder).resolve() == Path(new_folder).resolve():
        return new

    def move(stored: str | None) -> str | None:
        if not stored or Path(stored).is_absolute() or "://" in stored:
            return stored
        return stored_path(new_folder, resolve_stored(old_folder, stored))  # another drive: absolute

    for clip in new.find_clips():
        recipe = clip.metadata.get(METADATA_KEY)
        if recipe is not None:
            _move_media(recipe, media_of, move)
        refs = dict(clip.media_references())
        for ref in refs.values():
            if isinstance(ref, otio.schema.GeneratorReference):
                _move_media(ref.parameters, media_of, move)
            if isinstance(ref, otio.schema.ExternalReference):
                ref.target_url = move(ref.target_url)
                meta = ref.metadata.get(METADATA_KEY)
                if meta is not None and meta.get("context"):
                    meta["context"] = move(meta["context"])
    for item in [new.tracks, *new.tracks, *new.find_clips()]:  # upscaler weights named by effects
        for effect in item.effects:
            settings = effect.metadata.get(METADATA_KEY, {}).get("settings", {}) if is_ours(effect) else {}
            if settings.get("model", BUILTIN_MODEL) != BUILTIN_MODEL:
                settings["model"] = move(settings["model"])
    return new


def _move_media(recipe, media_of: MediaFieldsOf, move) -> None:
    generator = recipe.get("generator")
    fields = media_of(generator) if isinstance(generator, str) else image_only("")
    for field in dict.fromkeys(["image", *fields]):
        map_media(recipe, field, move)
