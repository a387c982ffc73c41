"""What state each clip is in (unrendered, stale, rendered), for ``info`` and the UI."""

from __future__ import annotations

from dataclasses import dataclass

import opentimelineio as otio

from fp_timeline.engine.registry import generator_version
from fp_timeline.project.document import Project
from fp_timeline.project.hashing import ClipState, clip_state, recipe_hashes
from fp_timeline.project.recipe import METADATA_KEY, Recipe
from fp_timeline.project.takes import active_take


@dataclass(frozen=True)
class ClipStatus:
    track: str
    clip: str
    recipe: Recipe
    recipe_hash: str
    state: ClipState
    take: str | None  # active take key
    take_missing: bool = False  # the active take's file is gone: shown black, rendered anew by ``render``


def project_status(project: Project) -> list[ClipStatus]:
    """One row per generated clip, in timeline order."""
    hashes = recipe_hashes(project, generator_version)
    rows = []
    for track in project.tracks():
        for item in track:
            if not isinstance(item, otio.schema.Clip) or METADATA_KEY not in item.metadata:
                continue
            take = active_take(item)
            rows.append(
                ClipStatus(
                    track=track.name,
                    clip=item.name,
                    recipe=project.recipe(item),
                    recipe_hash=hashes[item.name],
                    state=clip_state(item, hashes[item.name]),
                    take=take.key if take else None,
                    take_missing=take is not None and not project.resolve(take.media).is_file(),
                )
            )
    return rows
