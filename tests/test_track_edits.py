"""Edits by time (no Qt): lift, place into gaps or at cuts, overwrite, and their replacements undo exactly."""

from __future__ import annotations

import copy

import opentimelineio as otio
import pytest

from fp_timeline.project import timeline_edits
from fp_timeline.project.document import load_project
from fp_timeline.project.overwrite import overwrite
from fp_timeline.project.track_edits import diff, lift, move_clips, normalise, place
from tests.gui_helpers import fresh_clips_project


def _shape(children, rate=30.0):
    return [(item.name or "gap", round(item.duration().to_seconds() * rate)) for item in children]


def test_lift_leaves_merged_gaps_and_drops_the_trailing_one(tmp_path):
    project = load_project(fresh_clips_project(tmp_path))
    children = list(project.tracks()[0])
    assert _shape(lift(children, [children[1]], 30.0, ripple=False)) == [
        ("shot_010", 30),
        ("gap", 30),
        ("shot_030", 30),
    ]
    assert _shape(lift(children, [children[1], children[2]], 30.0, ripple=False)) == [("shot_010", 30)]
    assert _shape(lift(children, [children[1]], 30.0, ripple=True)) == [("shot_010", 30), ("shot_030", 30)]


def test_place_fills_a_gap_goes_to_the_nearest_cut_or_pads_past_the_end(tmp_path):
    project = load_project(fresh_clips_project(tmp_path))
    children = list(project.tracks()[0])
    clip = copy.deepcopy(children[2])
    clip.name = "new"
    holed = lift(children, [children[1]], 30.0, ripple=False)  # a 30-frame hole at 30
    assert _shape(place(holed, clip, 30, 30.0)) == [("shot_010", 30), ("new", 30), ("shot_030", 30)]
    assert _shape(place(children, clip, 40, 30.0)) == [
        ("shot_010", 30),
        ("new", 30),
        ("shot_020", 30),
        ("shot_030", 30),
    ]
    assert _shape(place(children, clip, 100, 30.0))[-2:] == [("gap", 10), ("new", 30)]
    assert _shape(normalise([*children, otio.schema.Gap(source_range=children[0].source_range)], 30.0)) == _shape(
        children
    )


def test_moves_undo_exactly_and_overwrite_refuses_to_cut_a_clip_in_two(tmp_path):
    project = load_project(fresh_clips_project(tmp_path))
    before = otio.adapters.write_to_string(project.timeline, adapter_name="otio_json")
    steps = move_clips(project, ["shot_010"], 100, 0, ripple=False)
    done = [(s, timeline_edits.apply(project, s)) for s in steps]
    assert [i.name or "gap" for i in project.tracks()[0]] == ["gap", "shot_020", "shot_030", "gap", "shot_010"]
    for step, removed in reversed(done):
        timeline_edits.revert(project, step, removed)
    assert otio.adapters.write_to_string(project.timeline, adapter_name="otio_json") == before
    short = timeline_edits.trim(project, "shot_030", 0, 10).items[0]
    short.name = "short"
    with pytest.raises(timeline_edits.EditRefused, match="in two"):
        overwrite(project, list(project.tracks()[0]), short, 40, lambda g, f, c, r=None: f)
    assert diff(0, list(project.tracks()[0]), list(project.tracks()[0]), "nothing") is None
