"""One reader of project files (``project.document.read_timeline``) behind every caller: the CLI and engine
(``load_project``), the window (``open_project``: missing start images do not stop it) and crash recovery
(``ui.autosave.read_autosave``).  Each former reader's case, here once."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fp_timeline.project.document import load_project, open_project, save_project  # noqa: E402
from fp_timeline.project.errors import ProjectError  # noqa: E402
from fp_timeline.ui import autosave  # noqa: E402
from tests.project_helpers import chain_project  # noqa: E402

BAD_FILES = {
    "not json": ("{not json", "not a readable OTIO file"),
    "not a timeline": ('{"OTIO_SCHEMA": "Track.1", "name": "V1", "children": [], "kind": "Video"}', "found Track"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_every_reader_refuses_a_bad_file_with_a_project_error_naming_it(tmp_path, case):
    text, message = BAD_FILES[case]
    bad = tmp_path / "bad.otio"
    bad.write_text(text)
    project_path = chain_project(tmp_path / "p").path
    for read in (load_project, open_project, lambda path: autosave.read_autosave(path, project_path)):
        with pytest.raises(ProjectError, match=message) as err:
            read(bad)
        assert err.value.problems[0].file == bad.resolve()


def test_a_missing_file_or_a_folder_is_named(tmp_path):
    for reader in (load_project, open_project):
        with pytest.raises(ProjectError, match="does not exist"):
            reader(tmp_path / "missing.otio")
        with pytest.raises(ProjectError, match="not a file"):
            reader(tmp_path)


def test_missing_start_images_stop_load_but_not_the_editor_and_the_disk_guard_holds(tmp_path):
    project = chain_project(tmp_path)
    (tmp_path / "images" / "start.png").unlink()
    with pytest.raises(ProjectError, match="start image not found"):
        load_project(project.path)
    opened, problems = open_project(project.path)
    assert [p.field for p in problems] == ["image"] and problems[0].clip == "shot_010"
    # The editor's copy remembers what it read, so a save over someone else's newer file is refused
    # (the window's former "read as is" path forgot the digest and overwrote it).
    project.path.write_text(project.path.read_text().replace("motion 1", "changed elsewhere"))
    with pytest.raises(ProjectError, match="changed on disk"):
        save_project(opened)


def test_an_autosave_reads_as_the_project_it_belongs_to(tmp_path):
    project = chain_project(tmp_path)
    saved = tmp_path / "autosave.otio"
    saved.write_text(project.path.read_text())
    recovered = autosave.read_autosave(saved, project.path)
    assert recovered.path == project.path.resolve()
    assert [c.name for c in recovered.generated_clips()] == ["shot_010", "shot_020", "shot_030"]
