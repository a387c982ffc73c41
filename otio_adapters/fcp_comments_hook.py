"""``pre_adapter_write`` hook: prompt, seed and recipe id into FCP 7 XML clip comments; a sequence format.

The ``fcp_xml`` writer drops metadata it does not own but writes ``metadata["fcp_xml"]`` as XML,
so ``{"comments": {"mastercomment1": ...}}`` becomes ``<clipitem><comments>``: Premiere shows them
in its Comment columns and keeps them through its own XML export, which is how an edited cut finds
its recipes again.  The writer leaves the sequence's ``<format>`` empty; the hook fills in its
``<samplecharacteristics>`` (frame size of the first clip, rate) so Premiere does not guess, and
marks timecode at 29.97/59.94 as drop frame (the writer would print a drop-frame start as NDF).

OTIO runs every ``pre_adapter_write`` hook before *every* write in the process
(projects are saved through ``otio_json`` too), so this hook only acts when writing a ``.xml`` file
or when asked with ``hook_function_argument_map={"fp_timeline_fcp_comments": True}``, and it
returns a copy: the timeline passed to the writer is never changed.

Contract: ``hook_function(in_timeline, argument_map) -> Timeline``.
"""

from __future__ import annotations

import copy
from typing import Any

import opentimelineio as otio

from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline_otio.identity import EXPORT_KEY, RecipeId
from fp_timeline_otio.rates import is_drop_frame_rate, is_ntsc

FCP_KEY = "fcp_xml"  # the fcp_xml adapter's metadata namespace
ASK_KEY = "fp_timeline_fcp_comments"
PROMPT_CHARS = 250  # Premiere's comment fields are short; the recipe in the project has the rest


def hook_function(in_timeline: Any, argument_map: dict[str, Any] | None = None) -> Any:
    """Return ``in_timeline``, or a copy whose generated clips carry FCP 7 comments."""
    if not _wanted(argument_map or {}) or not isinstance(in_timeline, otio.schema.Timeline):
        return in_timeline
    if not any(METADATA_KEY in clip.metadata for clip in in_timeline.find_clips()):
        return in_timeline
    result = copy.deepcopy(in_timeline)
    for clip in result.find_clips():
        recipe = clip.metadata.get(METADATA_KEY)
        if recipe is None:
            continue
        fcp = dict(clip.metadata.get(FCP_KEY, {}))
        fcp["comments"] = clip_comments(clip.name, recipe)
        clip.metadata[FCP_KEY] = fcp
    _add_sequence_format(result)
    _mark_drop_frame(result)
    return result


def clip_comments(clip_name: str, recipe: Any) -> dict[str, str]:
    """The four master comments: recipe tag, prompt, seed and generator."""
    recipe_id = RecipeId.from_metadata(recipe.get(EXPORT_KEY)) or RecipeId(clip_name, "", "")
    return {
        "mastercomment1": recipe_id.tag,
        "mastercomment2": str(recipe.get("prompt", ""))[:PROMPT_CHARS],
        "mastercomment3": f"seed {recipe.get('seed', '')}",
        "mastercomment4": f"{recipe.get('generator', '')} {recipe.get('context', '')}".strip(),
    }


def _add_sequence_format(timeline: otio.schema.Timeline) -> None:
    recipes = [c.metadata[METADATA_KEY] for c in timeline.find_clips() if METADATA_KEY in c.metadata]
    fcp = dict(timeline.metadata.get(FCP_KEY, {}))
    if not recipes or "media" in fcp or timeline.global_start_time is None:
        return
    rate = timeline.global_start_time.rate
    fcp["media"] = {
        "video": {
            "format": {
                "samplecharacteristics": {
                    "rate": {"timebase": str(round(rate)), "ntsc": "TRUE" if is_ntsc(rate) else "FALSE"},
                    "width": str(recipes[0].get("width", "")),
                    "height": str(recipes[0].get("height", "")),
                    "pixelaspectratio": "square",
                    "fielddominance": "none",
                }
            }
        }
    }
    timeline.metadata[FCP_KEY] = fcp


def _mark_drop_frame(timeline: otio.schema.Timeline) -> None:
    """The writer picks DF or NDF from ``metadata["fcp_xml"]["timecode"]["displayformat"]`` only."""
    start = timeline.global_start_time
    if start is None or not is_drop_frame_rate(start.rate):
        return
    objects = [timeline] + [c.media_reference for c in timeline.find_clips() if c.media_reference is not None]
    for thing in objects:
        fcp = dict(thing.metadata.get(FCP_KEY, {}))
        fcp["timecode"] = {**dict(fcp.get("timecode", {})), "displayformat": "DF"}
        thing.metadata[FCP_KEY] = fcp


def _wanted(argument_map: dict[str, Any]) -> bool:
    if argument_map.get(ASK_KEY):
        return True
    path = str(argument_map.get("_filepath") or "")
    return path.lower().endswith(".xml")
