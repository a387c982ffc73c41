"""One definition of "the clip a carried clip continues" (project/upstream.py), asked by hashing, the
load-time arrangement check, the editor's delete and the inspector.  An imported video counts: before
this, the inspector and delete skipped it while hashing did not."""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.engine.identity import versions_for
from fp_timeline.project import timeline_edits
from fp_timeline.project.document import arrangement_problems
from fp_timeline.project.edits import make_clip
from fp_timeline.project.hashing import hashed_clips
from fp_timeline.project.recipe import ContextMode, Recipe
from fp_timeline.project.upstream import upstream_of
from tests.project_helpers import chain_project


def _imported(name: str) -> otio.schema.Clip:
    rng = otio.opentime.TimeRange(otio.opentime.RationalTime(0, 30), otio.opentime.RationalTime(30, 30))
    return otio.schema.Clip(name=name, media_reference=otio.schema.ExternalReference("footage/a.mp4"), source_range=rng)


def _carried(name: str, seed: int) -> otio.schema.Clip:
    recipe = Recipe(prompt=name, seed=seed, frames=12, width=32, height=32, generator="animatic")
    return make_clip(name, recipe.replace(context=ContextMode.CARRY))


def _project(tmp_path):
    """V1: the chain's fresh clip and two carried ones; V2: imported, gap, carried, carried."""
    project = chain_project(tmp_path, clips=3)
    track = otio.schema.Track(name="V2", kind=otio.schema.TrackKind.Video)
    track.append(_imported("footage"))
    track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(5, 30))))
    track.append(_carried("after_footage", 7))
    track.append(_carried("after_that", 8))
    project.timeline.tracks.append(track)
    return project


def test_upstream_is_the_clip_before_generated_or_imported_across_gaps(tmp_path):
    project = _project(tmp_path)
    names = [c.name for c in project.tracks()[0]]
    assert upstream_of(project, names[0]) is None
    assert upstream_of(project, names[1]).name == names[0]
    assert upstream_of(project, "after_footage").name == "footage"  # the inspector's "(continues footage)"
    assert upstream_of(project, "after_that").name == "after_footage"
    assert upstream_of(project, "footage") is None


def test_hashing_and_the_arrangement_check_agree(tmp_path):
    project = _project(tmp_path)
    rows = {h.clip.name: h for h in hashed_clips(project, versions_for())}
    for name, row in rows.items():
        before = upstream_of(project, name)
        assert row.upstream == (before.name if before is not None else None)
    assert rows["after_footage"].upstream_hash is not None  # the footage's identity
    assert not [p for p in arrangement_problems(project) if p.field == "context"]  # carrying footage is fine
    project.tracks()[1].remove(project.tracks()[1][0])  # no footage: now it carries from nothing
    assert [p.clip for p in arrangement_problems(project) if p.field == "context"] == ["after_footage"]


def test_delete_keeps_a_carried_clip_carrying_when_something_is_still_before_it(tmp_path):
    project = _project(tmp_path)
    kept = timeline_edits.delete(project, "after_footage", ripple=True)
    assert kept.items == []  # "after_that" now continues the footage: nothing to re-make
    first = next(project.generated_clips()).name
    made_fresh = timeline_edits.delete(project, first, ripple=True)
    assert [project.recipe(c).context for c in made_fresh.items] == [ContextMode.FRESH]


def test_the_inspector_names_the_footage_a_clip_continues(qtbot, tmp_path):
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from fp_timeline.project.document import save_project
    from tests.gui_helpers import make_window

    project = _project(tmp_path)
    save_project(project)
    window = make_window(qtbot, tmp_path, project.path)
    window.document.select("after_footage")
    assert window.inspector.preview.text() == "(continues footage)"
    window.document.select("after_that")
    assert window.inspector.preview.text() == "(continues after_footage)"
    window.document.undo_stack.setClean()
