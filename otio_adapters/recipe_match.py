"""Find the recipe behind a clip that came back from an NLE: by recipe id, comment tag, take path or name.

An NLE keeps different things: ``.otio`` keeps our metadata; FCP 7 XML keeps clip comments (where
``fcp_comments_hook`` put the recipe tag) and ``file://`` paths; an EDL keeps clip names and
``FROM CLIP`` paths.  Media may have been moved (a bundle, another machine), so a take is also
recognised by the tail of its path, ``<clip>/take_NNN.mp4``, or the bundle's ``<clip>_take_NNN.mp4``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import opentimelineio as otio

from fp_timeline.project.document import Project
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import takes_of
from fp_timeline_otio.identity import EXPORT_KEY, RecipeId, find_tag
from fp_timeline_otio.media_urls import path_from_url


@dataclass(frozen=True)
class Match:
    """A project clip (and the take the NLE used, when known) for an edited clip, and how we knew."""

    clip: str
    take: str | None
    how: str  # "recipe id", "comment tag", "take path", "take file name", "clip name"


class TakeIndex:
    """Every clip of a project by name (``Project.clip`` scans), and every take, findable by absolute
    path, path tail or bundle file name."""

    def __init__(self, project: Project):
        self.clips: dict[str, otio.schema.Clip] = {}  # name -> the project's clip (the first, as Project.clip)
        self.takes: dict[str, set[str]] = {}  # clip -> its take keys
        self.by_path: dict[str, tuple[str, str]] = {}
        self.by_tail: dict[str, tuple[str, str]] = {}
        for clip in project.generated_clips():
            self.clips.setdefault(clip.name, clip)
            self.takes[clip.name] = set()
            for take in takes_of(clip):
                self.takes[clip.name].add(take.key)
                path = project.resolve(take.media)
                self.by_path[path.as_posix()] = (clip.name, take.key)
                self.by_tail[f"{path.parent.name}/{path.name}"] = (clip.name, take.key)
                self.by_tail[f"{clip.name}_{take.key}{path.suffix}"] = (clip.name, take.key)

    def knows(self, recipe_id: RecipeId | None) -> bool:
        return recipe_id is not None and recipe_id.clip in self.clips

    def take_of(self, recipe_id: RecipeId) -> str | None:
        return recipe_id.take if recipe_id.take in self.takes.get(recipe_id.clip, ()) else None


def find_recipe(clip: otio.schema.Clip, index: TakeIndex) -> Match | None:
    """The project clip ``clip`` stands for, or ``None`` for media that is not ours."""
    exported = clip.metadata.get(METADATA_KEY, {})
    recipe_id = RecipeId.from_metadata(exported.get(EXPORT_KEY) if hasattr(exported, "get") else None)
    if index.knows(recipe_id):
        return Match(recipe_id.clip, index.take_of(recipe_id), "recipe id")
    for text in _comment_texts(clip.metadata):
        recipe_id = find_tag(text)
        if index.knows(recipe_id):
            return Match(recipe_id.clip, index.take_of(recipe_id), "comment tag")
    url = getattr(clip.media_reference, "target_url", None)
    if url:
        path = path_from_url(url)
        if path.as_posix() in index.by_path:
            return Match(*index.by_path[path.as_posix()], "take path")
        for tail in (f"{path.parent.name}/{path.name}", path.name):
            if tail in index.by_tail:
                return Match(*index.by_tail[tail], "take file name")
    if clip.name in index.clips:
        return Match(clip.name, None, "clip name")
    return None


def _comment_texts(metadata: Any) -> Iterator[str]:
    """Every string in the metadata an NLE adapter kept (fcp_xml comments, EDL comments), depth first."""
    for key in ("fcp_xml", "cmx_3600"):
        yield from _strings(metadata.get(key))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif hasattr(value, "values"):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)) or type(value).__name__ == "AnyVector":
        for item in value:
            yield from _strings(item)
