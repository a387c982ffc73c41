"""Conform: one H.264 mp4 at the timeline rate; gaps black, trims honoured, dissolves blended."""

from __future__ import annotations

import numpy as np
import opentimelineio as otio
import pytest

from fp_timeline.engine.conform import conform_timeline
from fp_timeline.engine.generator import CancelToken, RenderCancelled
from fp_timeline.engine.media import VideoWriter, probe, read_frames
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.project.document import new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import Recipe
from tests.engine_helpers import SolidGenerator, rendered_chain, use_fake_generator

RATE = 24.0
TOLERANCE = 3  # H.264 on flat grey frames is within a few levels


def _solid(seed: int, frames: int) -> Recipe:
    return Recipe(f"grey {seed}", seed, frames, width=32, height=32, fps=RATE, image="x.png", generator="solid")


def _rate(frames: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, RATE)


@pytest.fixture
def solid_project(tmp_path, monkeypatch):
    """A(10) | gap(5) | B(10) ×dissolve(2+2)× C(10, trimmed to its frames 3..9)."""
    use_fake_generator(monkeypatch, SolidGenerator())
    (tmp_path / "x.png").write_bytes(b"")  # the solid generator never reads it
    project = new_project(tmp_path / "cut.otio", rate=RATE)
    track = project.tracks()[0]
    add_clip(project, _solid(1, 10), name="A")
    track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(_rate(0), _rate(5))))
    add_clip(project, _solid(2, 10), name="B")
    track.append(otio.schema.Transition(in_offset=_rate(2), out_offset=_rate(2)))
    clip_c = add_clip(project, _solid(3, 10), name="C")
    clip_c.source_range = otio.opentime.TimeRange(_rate(3), _rate(7))
    save_project(project)
    render_project(project, plan_render(project))
    return project


def _level(frame: np.ndarray) -> float:
    return float(frame.astype(float).mean())


def test_conform_rate_frames_gaps_trims_and_dissolve(solid_project, tmp_path):
    result = conform_timeline(solid_project, tmp_path / "cut.mp4")
    info = probe(result.path)
    assert (info.frames, info.rate, info.width, info.height) == (32, RATE, 32, 32)  # 10 + 5 + 10 + 7
    frames = read_frames(result.path)
    level = SolidGenerator.level

    for n in range(10):  # A
        assert _level(frames[n]) == pytest.approx(level(1, n), abs=TOLERANCE)
    for n in range(10, 15):  # the gap
        assert frames[n].max() <= TOLERANCE
    for n in range(15, 23):  # B before the dissolve
        assert _level(frames[n]) == pytest.approx(level(2, n - 15), abs=TOLERANCE)
    # The dissolve covers frames 23..26 (cut at 25).  B has no media past its end: frames 8, 9, then
    # its last frame held.  C is trimmed in at its frame 3, so its frames 1, 2 are real handles.
    for k, n in enumerate(range(23, 27)):
        weight = (k + 0.5) / 4
        b = level(2, min(n - 15, 9))
        c = level(3, 3 + n - 25)
        assert _level(frames[n]) == pytest.approx(b * (1 - weight) + c * weight, abs=TOLERANCE)
    for n in range(27, 32):  # C after the dissolve, starting at its trimmed-in frame 3
        assert _level(frames[n]) == pytest.approx(level(3, 3 + n - 25), abs=TOLERANCE)


def test_unrendered_clips_are_listed_or_black_with_allow_missing(solid_project, tmp_path):
    add_clip(solid_project, _solid(4, 6), name="D")
    with pytest.raises(ProjectError) as err:
        conform_timeline(solid_project, tmp_path / "cut.mp4")
    assert [p.clip for p in err.value.problems] == ["D"]
    assert not (tmp_path / "cut.mp4").exists()

    result = conform_timeline(solid_project, tmp_path / "cut.mp4", allow_missing=True)
    assert any("'D'" in w for w in result.warnings)
    frames = read_frames(result.path)
    assert len(frames) == 38 and frames[-1].max() <= TOLERANCE


def test_stale_clips_conform_with_a_warning(solid_project, tmp_path):
    clip = solid_project.clip("A")
    solid_project.set_recipe(clip, solid_project.recipe(clip).replace(prompt="changed"))
    result = conform_timeline(solid_project, tmp_path / "cut.mp4")
    assert any("'A' is stale" in w for w in result.warnings)


def test_imported_clip_and_other_sizes_are_letterboxed(solid_project, tmp_path):
    writer = VideoWriter(tmp_path / "wide.mp4", rate=RATE)
    for _ in range(4):
        writer.write(np.full((16, 32, 3), 200, dtype=np.uint8))
    writer.close()
    imported = otio.schema.Clip(
        name="wide",
        media_reference=otio.schema.ExternalReference(target_url="wide.mp4"),
        source_range=otio.opentime.TimeRange(_rate(0), _rate(4)),
    )
    solid_project.tracks()[0].append(imported)
    frames = read_frames(conform_timeline(solid_project, tmp_path / "cut.mp4").path)
    last = frames[-1].astype(int)
    assert len(frames) == 36
    assert last[16, 16].mean() == pytest.approx(200, abs=TOLERANCE)  # the picture, centred
    assert last[2, 16].max() <= TOLERANCE and last[-3, 16].max() <= TOLERANCE  # black bars


def test_top_track_wins_where_tracks_overlap(solid_project, tmp_path):
    upper = otio.schema.Track(name="V2", kind=otio.schema.TrackKind.Video)
    upper.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(_rate(0), _rate(2))))
    solid_project.timeline.tracks.append(upper)
    add_clip(solid_project, _solid(5, 3), name="E", track="V2")
    render_project(solid_project, plan_render(solid_project))
    frames = read_frames(conform_timeline(solid_project, tmp_path / "cut.mp4").path)
    assert _level(frames[1]) == pytest.approx(SolidGenerator.level(1, 1), abs=TOLERANCE)  # V2 gap: V1 shows
    assert _level(frames[2]) == pytest.approx(SolidGenerator.level(5, 0), abs=TOLERANCE)  # V2's clip on top


def test_cancelled_conform_writes_nothing(tmp_path):
    project = rendered_chain(tmp_path)
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(RenderCancelled):
        conform_timeline(project, tmp_path / "out.mp4", cancel=cancel)
    assert not list(tmp_path.glob("*out*.mp4"))


def test_animatic_chain_conforms_to_all_its_frames(tmp_path):
    project = rendered_chain(tmp_path, lengths=(12, 8, 8))
    result = conform_timeline(project, tmp_path / "out.mp4")
    assert probe(result.path).frames == 28 and result.warnings == []
