"""Each built-in post-process on a short real clip: frame count, rate and size as predicted, pixels as meant."""

from __future__ import annotations

import numpy as np
import pytest

from fp_timeline.engine.media import probe, read_frames
from fp_timeline.engine.postfx.builtin import FILTERS_USED
from fp_timeline.engine.postfx.graph import missing_filters
from fp_timeline.engine.postfx.jobs import plan_postfx, postfx_job, processed_media
from fp_timeline.project.takes import active_take
from tests.engine_helpers import SolidGenerator, use_fake_generator
from tests.postfx_helpers import build_all, difference, frame_step, rendered, with_effects


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return rendered(tmp_path_factory.mktemp("postfx"), (73, 20))


@pytest.fixture
def project(base, tmp_path):
    import shutil

    from fp_timeline.project.document import load_project

    shutil.copytree(base.folder, tmp_path, dirs_exist_ok=True)
    return load_project(tmp_path / base.path.name)


def _take(project, clip="shot_010"):
    return read_frames(project.resolve(active_take(project.clip(clip)).media))


def _processed(project, clip="shot_010"):
    media = processed_media(project, project.clip(clip))
    assert media is not None, f"{clip} has no processed media"
    return media, read_frames(media)


def test_pyav_ffmpeg_has_every_filter_we_use():
    assert missing_filters(FILTERS_USED) == []
    assert missing_filters(["no_such_filter"]) == ["no_such_filter"]


def test_interpolate_x2_of_73_frames_gives_145_at_48fps(project):
    with_effects(project, "shot_010", "interpolate:x2")
    build_all(project)
    media, frames = _processed(project)
    info = probe(media)
    assert (len(frames), info.rate) == (145, 48.0)
    take = _take(project)
    # Even output frames are the source frames; odd ones lie between their neighbours.
    assert difference(frames[0], take[0]) < 3 and difference(frames[-1], take[-1]) < 3
    between = frames[71].astype(np.float32)
    assert difference(between, take[35]) < difference(take[35], take[36]) + 1
    assert difference(between, (take[35].astype(np.float32) + take[36]) / 2) < 3


def test_interpolate_to_a_target_rate_blend(project):
    with_effects(project, "shot_010", "interpolate:fps=60,method=blend")
    build_all(project)
    media, frames = _processed(project)
    assert len(frames) == 72 * 60 // 24 + 1 and probe(media).rate == 60.0


def test_upscale_lanczos_doubles_the_size(project):
    with_effects(project, "shot_010", "upscale:2")
    build_all(project)
    _, frames = _processed(project)
    take = _take(project)
    assert frames.shape == (73, 96, 128, 3)
    # Scaled back down it is the take again, near enough.
    small = frames[10].reshape(48, 2, 64, 2, 3).mean(axis=(1, 3))
    assert difference(small, take[10]) < 4


def test_pingpong_loop_goes_there_and_back(project):
    with_effects(project, "shot_010", "loop:pingpong")
    build_all(project)
    _, frames = _processed(project)
    take = _take(project)
    assert len(frames) == 2 * 73 - 2
    assert difference(frames[73], take[71]) < 3  # the way back starts one before the end
    assert difference(frames[-1], take[1]) < 3  # and ends one after the start: next comes frame 0


def test_crossfade_loop_is_seamless(project):
    with_effects(project, "shot_010", "loop:crossfade,overlap=12")
    build_all(project)
    _, frames = _processed(project)
    take = _take(project)
    assert len(frames) == 73 - 12
    wrap = difference(frames[-1], frames[0])
    # Played again, the last frame (the take's frame 12) flows into the first (its frame 13): the
    # jump is the shot's own step there, plus H.264's re-encoding (measured: 7.9 against 7.3)...
    assert wrap <= difference(take[12], take[13]) + 2, wrap
    assert frame_step(frames) > 1  # (the shot does move)
    # ...while the take itself jumps a long way from its end back to its start (measured: 86).
    assert difference(take[-1], take[0]) > 5 * wrap


def test_sharpen_keeps_the_shape_and_raises_detail(project):
    with_effects(project, "shot_010", "sharpen:2")
    build_all(project)
    take, sharp = _take(project), _processed(project)[1]
    assert sharp.shape == take.shape
    # Fine detail (second differences of luma along rows); re-encoding alone lowers it. Measured: x1.22.
    detail = lambda f: np.abs(np.diff(f.astype(np.float32).mean(axis=-1), n=2, axis=2)).mean()  # noqa: E731
    assert detail(sharp) > 1.15 * detail(take)


class NoisyGenerator(SolidGenerator):
    """A smooth ramp plus strong seeded noise: what denoising is for, with the clean frame known."""

    id = "noisy"

    @staticmethod
    def clean(height: int, width: int) -> np.ndarray:
        ramp = np.linspace(40, 200, width, dtype=np.float32)[None, :, None]
        return np.broadcast_to(ramp, (height, width, 3))

    def render(self, job, out, progress, cancel):
        from fp_timeline.engine.generator import ContextBlob

        r = job.recipe
        rng = np.random.default_rng(r.seed)
        for _ in range(r.frames):
            noisy = self.clean(r.height, r.width) + rng.normal(0, 14, (r.height, r.width, 1))
            out.write(np.clip(noisy, 0, 255).astype(np.uint8))
        job.context_path.write_bytes(b"noisy")
        return ContextBlob(job.context_path, job.recipe_hash)


def test_denoise_takes_the_noise_out(tmp_path, monkeypatch):
    from fp_timeline.engine.planner import plan_render
    from fp_timeline.engine.renderer import render_project
    from fp_timeline.project.document import new_project, save_project
    from fp_timeline.project.edits import add_clip
    from fp_timeline.project.recipe import Recipe

    use_fake_generator(monkeypatch, NoisyGenerator())
    (tmp_path / "x.png").write_bytes(b"")
    noisy = new_project(tmp_path / "noisy.otio", rate=24.0)
    add_clip(noisy, Recipe("noise", 3, 8, width=64, height=48, fps=24.0, image="x.png", generator="noisy"))
    save_project(noisy)
    render_project(noisy, plan_render(noisy))
    with_effects(noisy, "shot_010", "denoise:12")
    build_all(noisy)
    take, smooth = _take(noisy), _processed(noisy)[1]
    clean = NoisyGenerator.clean(48, 64)
    assert smooth.shape == take.shape
    # Measured: the take is 10.9 levels from the clean ramp, the denoised clip 2.2.
    assert difference(smooth, clean) < 0.6 * difference(take, clean)


def test_colormatch_moves_the_colour_to_the_reference(project):
    with_effects(project, "shot_020", "colormatch:shot_010")
    build_all(project)
    reference, take = _take(project), _take(project, "shot_020")
    matched = _processed(project, "shot_020")[1]
    target = reference.reshape(-1, 3).mean(axis=0)
    before = np.abs(take.reshape(-1, 3).mean(axis=0) - target).mean()
    after = np.abs(matched.reshape(-1, 3).mean(axis=0) - target).mean()
    assert before > 5 and after < before / 4, (before, after)


def test_a_stack_applies_in_order_and_matches_its_prediction(project):
    with_effects(project, "shot_020", "upscale:2", "interpolate:x2", "loop:pingpong")
    job = postfx_job(project, project.clip("shot_020"))
    build_all(project)
    media, frames = _processed(project, "shot_020")
    assert len(job.stages) == 3
    assert frames.shape == (2 * 39 - 2, 96, 128, 3)
    assert probe(media).rate == 48.0
    assert plan_postfx(project) == []  # everything built: nothing left to do
