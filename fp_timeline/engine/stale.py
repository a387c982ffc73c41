"""Why a clip is stale, in words: another model made its take, recipe fields changed since it, or the
clip it carries from changed.  Read from the take (and its record ``take_NNN.json``, written by the engine)."""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.engine import registry
from fp_timeline.engine.generator import RuntimeIdentity
from fp_timeline.engine.store import read_take_record
from fp_timeline.project.document import Project
from fp_timeline.project.recipe import Recipe
from fp_timeline.project.takes import active_take

FIELD_NAMES = {"frames": "duration", "image": "start image", "params": "settings", "context": "carry/fresh"}


def stale_reason(
    project: Project, clip: otio.schema.Clip, recipe: Recipe, identity: RuntimeIdentity | None = None
) -> str:
    """A short sentence, or "" when the take's record cannot tell.

    ``identity`` is the model renders use now (``engine.identity.runtime_identity``); a take made by
    another one is stale for that reason first.
    """
    take = active_take(clip)
    if take is None:
        return ""
    if identity is not None and take.identity and take.identity != identity.digest:
        return f"made by {take.model}; this render uses {identity.label}"
    if identity is not None and identity.fields and not take.identity:
        return f"{take.key} was made before takes recorded their model; this render uses {identity.label}"
    then = (read_take_record(project, clip.name, take.key) or {}).get("recipe")
    if not isinstance(then, dict):
        return ""
    now = recipe.to_metadata()
    changed = [FIELD_NAMES.get(k, k) for k in sorted(now) if now.get(k) != then.get(k)]
    if changed:
        return f"{', '.join(changed)} changed since {take.key}"
    if any(registry.neighbour_frames(recipe)):
        return f"a clip it starts or ends on (before or after it) changed since {take.key}"
    if recipe.carries:
        return f"the clip it carries from changed since {take.key}"
    if recipe.image:
        return f"the start image file changed since {take.key}"
    return f"the generator changed since {take.key}"
