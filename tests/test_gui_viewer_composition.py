"""One composition (engine.composition) for the conform and the viewer: frame by frame, the window shows
the movie that is exported.  Covers what each former twin handled: the top track wins, a hidden track
is not there, a take's last frame is held past its end, dissolve weights (k + 0.5) / L (also from and to
a gap), processed media at another rate (interpolated x2), and an imported clip."""

from __future__ import annotations

import numpy as np
import opentimelineio as otio
import pytest

from fp_timeline.engine.composition import compose
from fp_timeline.engine.conform import conform_timeline
from fp_timeline.engine.media import VideoWriter, read_frames
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.project.document import new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.recipe import Recipe
from tests.engine_helpers import SolidGenerator, use_fake_generator
from tests.postfx_helpers import build_all, with_effects

RATE = 24.0
TOLERANCE = 4  # H.264 on flat grey frames, and the viewer's 8-bit opacity


def _solid(seed: int, frames: int) -> Recipe:
    return Recipe(f"grey {seed}", seed, frames, width=32, height=32, fps=RATE, image="x.png", generator="solid")


def _t(frames: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, RATE)


def _gap(frames: int) -> otio.schema.Gap:
    return otio.schema.Gap(source_range=otio.opentime.TimeRange(_t(0), _t(frames)))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """V1: A(10) | gap(5) | B(10) x dissolve(2+2) x C(10 trimmed to 3..9, interpolated x2) x dissolve(1+1) x
        wide(4, imported, 32x16: letterboxed)
    V2: gap(2) | E(3) x dissolve(1+1) x gap(3)           (on top: E, then E fading to black)
    V3 (hidden): F(6)                                    (never seen)"""
    use_fake_generator(monkeypatch, SolidGenerator())
    (tmp_path / "x.png").write_bytes(b"")
    project = new_project(tmp_path / "cut.otio", rate=RATE)
    v1 = project.tracks()[0]
    add_clip(project, _solid(1, 10), name="A")
    v1.append(_gap(5))
    add_clip(project, _solid(2, 10), name="B")
    v1.append(otio.schema.Transition(in_offset=_t(2), out_offset=_t(2)))
    add_clip(project, _solid(5, 10), name="C").source_range = otio.opentime.TimeRange(_t(3), _t(7))
    writer = VideoWriter(tmp_path / "wide.mp4", rate=RATE)
    for level in (60, 90, 120, 150):
        writer.write(np.full((16, 32, 3), level, dtype=np.uint8))
    writer.close()
    ref = otio.schema.ExternalReference(target_url="wide.mp4")
    v1.append(otio.schema.Transition(in_offset=_t(1), out_offset=_t(1)))  # into a clip of another size
    v1.append(otio.schema.Clip(name="wide", media_reference=ref, source_range=otio.opentime.TimeRange(_t(0), _t(4))))
    for name in ("V2", "V3"):
        project.timeline.tracks.append(otio.schema.Track(name=name, kind=otio.schema.TrackKind.Video))
    v2, v3 = project.tracks()[1:]
    v2.append(_gap(2))
    add_clip(project, _solid(3, 3), name="E", track="V2")
    v2.append(otio.schema.Transition(in_offset=_t(1), out_offset=_t(1)))
    v2.append(_gap(3))
    add_clip(project, _solid(4, 6), name="F", track="V3")
    save_project(project)
    render_project(project, plan_render(project))
    v3.enabled = False
    with_effects(project, "C", "interpolate:x2")
    build_all(project)
    return project


def _shown(project, n):
    mix = compose(project).at(n)
    if mix is None:
        return None
    sides = (mix.outgoing, mix.incoming) if mix.dissolve else (mix.outgoing,)
    return tuple(s.name if s is not None else None for s in sides), round(mix.weight, 4)


def test_the_composition_frame_by_frame(project):
    expected = {0: (("A",), 0), 2: (("E",), 0), 3: (("E",), 0), 4: (("E", None), 0.25), 5: (("E", None), 0.75)}
    expected |= {6: (("A",), 0), 9: (("A",), 0), 10: None, 14: None, 15: (("B",), 0), 22: (("B",), 0)}
    expected |= {23 + k: (("B", "C"), (k + 0.5) / 4) for k in range(4)}
    expected |= {27: (("C",), 0), 30: (("C",), 0), 31: (("C", "wide"), 0.25), 32: (("C", "wide"), 0.75)}
    expected |= {33: (("wide",), 0), 35: (("wide",), 0), 36: None}
    for n, shown in expected.items():
        assert _shown(project, n) == shown, n
    composition = compose(project)
    assert composition.frames == 36 and "F" not in [s.name for s in composition.shots]  # V3 is hidden
    b, c = composition.at(25).outgoing, composition.at(25).incoming
    # B has no frames past its 10: its last is held (the reader clamps; ``frames`` says so).
    assert [b.media_frame(n, RATE, frames=10) for n in (23, 24, 25, 26)] == [8, 9, 9, 9]
    assert b.media_frame(26, RATE) == 11
    # C is trimmed in at its frame 3, so frames 1, 2 are real handles; at 48 fps each frame is two.
    assert [c.media_frame(n, RATE) for n in (23, 24, 25, 27)] == [1, 2, 3, 5]
    assert [c.media_frame(n, 2 * RATE) for n in (23, 25, 27)] == [2, 6, 10]
    # At NTSC rates frames stay exact (no float seconds): 1001 frames at 29.97 are exactly 1002 at 30.
    ntsc = type(c)(c.clip, 0, 0, 0, 2000, 30000 / 1001, _t(0).rescaled_to(30), None)
    assert ntsc.media_frame(1001, 30.0) == 1002


def test_the_viewer_shows_the_conformed_movie_frame_by_frame(project, tmp_path, qapp):
    from fp_timeline.ui.frame_source import FrameSource
    from fp_timeline.ui.timeline_layout import layout_timeline

    movie = read_frames(conform_timeline(project, tmp_path / "movie.mp4").path)
    layout = layout_timeline(project, {})
    source = FrameSource()
    assert len(movie) == 36
    for n, exported in enumerate(movie):
        frame = source.frame(project, layout, n)
        level = float(exported[16, 16].astype(float).mean())
        if frame.image is None:  # nothing there: the movie is black
            assert frame.clip is None and level <= TOLERANCE, n
            continue
        assert frame.rendered, n
        image = frame.image
        pixel = image.pixelColor(image.width() // 2, image.height() // 2)
        assert (pixel.red() + pixel.green() + pixel.blue()) / 3 == pytest.approx(level, abs=TOLERANCE), n
        # the movie's size, the wide clip letterboxed alike (black bars), in and outside its dissolve
        assert (image.width(), image.height()) == (exported.shape[1], exported.shape[0]), n
        edge = image.pixelColor(16, 2)
        shown = (edge.red() + edge.green() + edge.blue()) / 3
        assert shown == pytest.approx(float(exported[2, 16].astype(float).mean()), abs=TOLERANCE), n


def test_the_viewer_cache_reads_with_the_one_decoder_and_holds_past_either_end(tmp_path, qapp):
    from fp_timeline.engine.composition import Shot
    from fp_timeline.ui.media_frames import FrameCache

    path = tmp_path / "steps.mp4"
    with VideoWriter(path, rate=RATE) as writer:
        for level in (40, 80, 120, 160):
            writer.write(np.full((16, 16, 3), level, dtype=np.uint8))
    clip = otio.schema.Clip(name="steps")
    shot = Shot(clip, 0, 0, 10, 14, RATE, _t(1), _t(0))  # shows the file's frames 1..3 at timeline 10..12
    cache = FrameCache()
    levels = [int(cache.shot_array(path, shot, n)[8, 8, 0]) for n in (8, 9, 10, 12, 13, 20)]
    assert levels == pytest.approx([40, 40, 80, 160, 160, 160], abs=TOLERANCE)
    assert cache.shot_array(tmp_path / "missing.mp4", shot, 10) is None
    (tmp_path / "broken.mp4").write_bytes(path.read_bytes()[:200])  # cut short: not a video we can read
    assert cache.shot_array(tmp_path / "broken.mp4", shot, 10) is None


def test_the_movie_takes_the_size_of_the_first_shot_with_media(project):
    composition = compose(project)  # the conform and the viewer both size the movie by this rule
    assert [s.name for s in composition.shots][:3] == ["A", "B", "C"]
    sizes = {"B": (20, 10), "wide": (32, 16)}
    assert composition.movie_size(lambda shot: sizes.get(shot.name)) == (20, 10)  # A has none here
    assert composition.movie_size(lambda shot: None) is None
