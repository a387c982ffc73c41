"""A save keeps what the user set on the file: its mode, its owner, every character of a prompt."""

from __future__ import annotations

import os
import stat

import pytest

from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import Recipe
from tests.project_helpers import chain_project


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664, 0o600])
def test_a_save_keeps_the_file_mode(tmp_path, mode):
    project = chain_project(tmp_path)
    project.path.chmod(mode)
    save_project(load_project(project.path))
    assert stat.S_IMODE(project.path.stat().st_mode) == mode


def test_a_new_project_file_gets_the_usual_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        project = chain_project(tmp_path)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(project.path.stat().st_mode) == 0o644


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_a_save_keeps_the_owner(tmp_path):
    project = chain_project(tmp_path)
    os.chown(project.path, 65534, 65534)
    save_project(load_project(project.path))
    assert (project.path.stat().st_uid, project.path.stat().st_gid) == (65534, 65534)


def test_every_character_of_a_prompt_survives_save_and_load(tmp_path):
    prompt = "tabs\tnewlines\nescape\x1b[31m bidi\u202e emoji 🎬 combining e\u0301 zero-width\u200b end "
    project = chain_project(tmp_path)
    clip = next(project.generated_clips())
    project.set_recipe(clip, project.recipe(clip).replace(prompt=prompt))
    save_project(project)
    again = load_project(project.path)
    assert again.recipe(next(again.generated_clips())).prompt == prompt


def test_a_nul_in_a_prompt_is_refused_at_input_not_cut_at_save():
    with pytest.raises(ProjectError, match="NUL"):
        Recipe.from_metadata({"schema": 1, "prompt": "a\x00b", "seed": 1, "frames": 1, "image": "x.png"})


def test_a_save_never_overwrites_changes_another_process_made_since_loading(tmp_path):
    project = chain_project(tmp_path)
    mine = load_project(project.path)
    theirs = load_project(project.path)
    next(theirs.generated_clips()).name = "renamed_by_them"
    save_project(theirs)
    next(mine.generated_clips()).name = "renamed_by_me"
    with pytest.raises(ProjectError, match="changed on disk since it was opened"):
        save_project(mine)
    assert next(load_project(project.path).generated_clips()).name == "renamed_by_them"
    save_project(mine, tmp_path / "mine.otio")  # save as another name still works
    save_project(theirs)  # the one that wrote it last may write again
