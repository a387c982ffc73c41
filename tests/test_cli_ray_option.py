"""``--ray [ADDRESS]`` on the command line: an optional value, and a clear message without Ray."""

from __future__ import annotations

import importlib.util

import pytest
from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.cli.ray_option import optional_ray_value
from tests.engine_helpers import chain_project

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["render", "p.otio", "--ray"], ["render", "p.otio", "--ray", "local"]),
        (["render", "--ray", "p.otio"], ["render", "--ray", "local", "p.otio"]),
        (["render", "p.otio", "--ray", "--preset", "tiny"], ["render", "p.otio", "--ray", "local", "--preset", "tiny"]),
        (["render", "p.otio", "--ray", "auto"], ["render", "p.otio", "--ray", "auto"]),
        (["render", "p.otio", "--ray", "10.0.0.5:6379"], ["render", "p.otio", "--ray", "10.0.0.5:6379"]),
        (["render", "p.otio", "--ray", "ray://head:10001"], ["render", "p.otio", "--ray", "ray://head:10001"]),
        (["render", "p.otio", "--ray=auto"], ["render", "p.otio", "--ray=auto"]),
    ],
)
def test_a_bare_ray_flag_means_a_local_cluster_and_never_eats_the_project(args, expected):
    assert optional_ray_value(args) == expected


def test_render_with_ray_but_without_ray_installed_says_how_to_install_it(tmp_path, monkeypatch):
    project = chain_project(tmp_path)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    before = project.path.read_bytes()
    result = runner.invoke(app, ["render", str(project.path), "--ray"])
    assert result.exit_code == 2
    assert 'pip install "fp-timeline[ray]"' in " ".join(result.output.split())  # however it wraps
    assert "Traceback" not in result.output
    assert project.path.read_bytes() == before  # nothing rendered, nothing saved
