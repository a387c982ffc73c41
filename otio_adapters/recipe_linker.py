"""OTIO media linker ``fp_timeline_recipes``: point clips read from an NLE file back at our takes.

Contract: ``link_media_reference(in_clip, media_linker_argument_map) -> MediaReference``.
``media_linker_argument_map["project"]`` names the project (``.otio``) whose takes to link to;
without it the linker changes nothing.
A clip recognised by recipe id, comment tag, take path or clip name (``recipe_match``) gets an
``ExternalReference`` to that take's file, as a plain absolute path, with the recipe id in its
metadata; any other clip keeps its media reference.  Use it when reading an edit::

    otio.adapters.read_from_file("edit.xml", media_linker_name="fp_timeline_recipes",
                                 media_linker_argument_map={"project": "film.otio"})

``fp-timeline import`` goes further (``relink.py``): it restores the recipes and every take too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import opentimelineio as otio

from fp_timeline.project.document import Project, load_project
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import active_take, takes_of
from fp_timeline_otio.identity import EXPORT_KEY, RecipeId
from fp_timeline_otio.recipe_match import TakeIndex, find_recipe


def link_media_reference(in_clip: otio.schema.Clip, media_linker_argument_map: dict[str, Any] | None = None) -> Any:
    """The take ``in_clip`` stands for, or its own media reference when it is not ours."""
    args = media_linker_argument_map or {}
    if not args.get("project"):
        # Set as OTIO_DEFAULT_MEDIA_LINKER it runs on every read, project loads included: stay out of the way.
        return in_clip.media_reference
    project_path = Path(args["project"]).resolve()
    project, index = _indexed(project_path, project_path.stat().st_mtime_ns)
    match = find_recipe(in_clip, index)
    if match is None:
        return in_clip.media_reference
    clip = index.clips[match.clip]
    take = next((t for t in takes_of(clip) if t.key == match.take), None) or active_take(clip)
    if take is None:
        return in_clip.media_reference  # the recipe was never rendered: nothing to link to
    ref = otio.schema.ExternalReference(
        target_url=project.resolve(take.media).as_posix(),
        available_range=clip.media_references()[take.key].available_range,
    )
    ref.name = f"{clip.name}_{take.key}"
    ref.metadata[METADATA_KEY] = {EXPORT_KEY: RecipeId(clip.name, take.key, take.recipe_hash).to_metadata()}
    return ref


@lru_cache(maxsize=4)
def _indexed(path: Path, mtime_ns: int) -> tuple[Project, TakeIndex]:
    # One load per project version, not one per clip: OTIO calls the linker once for every clip.
    project = load_project(path)
    return project, TakeIndex(project)
