"""What state each clip is in (unrendered, stale, rendered), for ``info`` and the UI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fp_timeline.engine.identity import runtime_identity, versions_for
from fp_timeline.engine.stale import stale_reason
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
    take_model: str = ""  # which model made the active take, in words ("" when unknown)


def project_status(project: Project, options: dict[str, Any] | None = None) -> list[ClipStatus]:
    """One row per generated clip, in timeline order, judged for the model that ``options`` choose."""
    rows = []
    for hashed in hashed_clips(project, versions_for(options)):
        take = active_take(hashed.clip)
        rows.append(
            ClipStatus(
                track=hashed.track,
                clip=hashed.clip.name,
                recipe=hashed.recipe,
                recipe_hash=hashed.hash,
                state=clip_state(hashed.clip, hashed.hash),
                take=take.key if take else None,
                take_missing=take is not None and not _is_file(project.take_file(take.media)),
                take_model=take.model if take else "",
            )
        )
    return rows


def stale_reasons(project: Project, options: dict[str, Any] | None = None) -> list[str]:
    """ "clip: why it is stale", for each stale clip, in timeline order."""
    reasons = []
    for row in project_status(project, options):
        if row.state is ClipState.STALE:
            clip = project.clip(row.clip)
            why = stale_reason(project, clip, row.recipe, runtime_identity(row.recipe.generator, options))
            reasons.append(f"{row.clip}: {why or 'the recipe changed since its take'}")
    return reasons


def _is_file(path) -> bool:
    return path is not None and path.is_file()
