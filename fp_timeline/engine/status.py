"""What state each clip is in (unrendered, stale, rendered), for ``info`` and the UI."""

from __future__ import annotations

from dataclasses import dataclass

from fp_timeline.engine.registry import generator_version, media_fields
from fp_timeline.project.document import Project
from fp_timeline.project.hashing import ClipState, clip_state, hashed_clips
from fp_timeline.project.recipe import Recipe
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
    rows = []
    for hashed in hashed_clips(project, generator_version, media_fields):
        take = active_take(hashed.clip)
        rows.append(
            ClipStatus(
                track=hashed.track,
                clip=hashed.clip.name,
                recipe=hashed.recipe,
                recipe_hash=hashed.hash,
                state=clip_state(hashed.clip, hashed.hash),
                take=take.key if take else None,
                take_missing=take is not None and not project.resolve(take.media).is_file(),
            )
        )
    return rows
