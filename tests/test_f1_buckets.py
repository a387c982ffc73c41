"""A new clip's size follows its image's aspect, snapped to FramePack's resolution buckets."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from typer.testing import CliRunner  # noqa: E402

from fp_timeline.cli import app  # noqa: E402
from fp_timeline.project.document import load_project, new_project, save_project  # noqa: E402
from fp_timeline_plugins.framepack_f1.buckets import BUCKETS_640, nearest_bucket  # noqa: E402
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator  # noqa: E402
from tests.project_helpers import write_image  # noqa: E402


def test_nearest_bucket_matches_the_aspect():
    assert nearest_bucket(1080, 1920) == (480, 832)  # 16:9 landscape
    assert nearest_bucket(1920, 1080) == (832, 480)  # portrait
    assert nearest_bucket(512, 512) == (640, 608)  # a tie goes to the later bucket, as in FramePack
    for height, width in BUCKETS_640:
        assert nearest_bucket(height * 3, width * 3) == (height, width)
        assert height % 16 == 0 and width % 16 == 0
    assert FramePackF1Generator().size_for_image(1920, 1080) == (832, 480)


def test_cli_add_sizes_a_fresh_clip_from_its_image(tmp_path):
    image = write_image(tmp_path / "wide.png", size=(320, 180))
    project = new_project(tmp_path / "film.otio")
    save_project(project)
    result = CliRunner().invoke(app, ["add", str(project.path), "-i", str(image), "-p", "waves roll in", "-s", "1"])
    assert result.exit_code == 0, result.output
    recipe = load_project(project.path).recipe(next(load_project(project.path).generated_clips()))
    assert (recipe.width, recipe.height) == (832, 480)


def test_a_dropped_image_gets_its_bucket(tmp_path, qapp):
    from fp_timeline.ui.clip_defaults import image_clip_recipe

    image = write_image(tmp_path / "tall.png", size=(90, 160))
    project = new_project(tmp_path / "film.otio")
    recipe = image_clip_recipe(project, image)
    assert recipe.generator == "framepack_f1" and (recipe.width, recipe.height) == (480, 832)
