"""Renders next to other writers and after kill -9: no take shared, overwritten or lost; edits kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fp_timeline.engine.leftovers import adoptable_take, clean_leftovers, reserve_take_key
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.project.document import load_project
from fp_timeline.project.takes import takes_of
from tests.engine_helpers import chain_project, rendered_chain

CLI = str(Path(sys.executable).with_name("fp-timeline"))
RESERVE = """
import sys
from fp_timeline.project.document import load_project
from fp_timeline.engine.leftovers import reserve_take_key
project = load_project(sys.argv[1])
print(" ".join(reserve_take_key(project, "shot_010") for _ in range(int(sys.argv[2]))))
"""


def dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_two_processes_never_reserve_the_same_take(tmp_path):
    project = chain_project(tmp_path)
    procs = [
        subprocess.Popen([sys.executable, "-c", RESERVE, str(project.path), "15"], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    keys = [key for p in procs for key in p.communicate(timeout=120)[0].split()]
    assert len(keys) == 45 and len(set(keys)) == 45


def test_an_add_in_another_process_during_a_render_is_kept(tmp_path, monkeypatch):
    """The render saves each take under the lock after re-reading the file: the add survives."""
    project = chain_project(tmp_path)
    from fp_timeline.engine import registry

    real = registry.load_generator("animatic")
    added: list[subprocess.CompletedProcess] = []

    class AddsMeanwhile:
        id, version = real.id, real.version

        def __getattr__(self, name):
            return getattr(real, name)

        def render(self, job, out, progress, cancel):
            if not added:  # a user adds a clip while the first clip renders
                args = [CLI, "add", str(project.path), "-p", "added meanwhile", "--name", "late", "--generator"]
                added.append(subprocess.run([*args, "animatic", "--carry"], capture_output=True, text=True))
            return real.render(job, out, progress, cancel)

    monkeypatch.setattr(registry, "load_generator", lambda generator_id: AddsMeanwhile())
    render_project(project, plan_render(project))
    assert added[0].returncode == 0, added[0].stderr
    saved = load_project(project.path)
    names = [c.name for c in saved.generated_clips()]
    assert names == ["shot_010", "shot_020", "shot_030", "late"]
    assert all(len(takes_of(saved.clip(n))) == 1 for n in names[:3])  # every take of the render kept too


def test_dead_processes_leftovers_are_removed_and_live_ones_kept(tmp_path):
    project = rendered_chain(tmp_path)
    folder = project.render_dir("shot_020")
    pid = dead_pid()
    stale = [
        folder / ".take_002.reserved",
        folder / ".take_002.partial.mp4",
        folder / "take_002.context.safetensors",
        folder / "take_002.json",
        project.folder / f".demo.otio.{pid}.abcd1234.tmp",
        folder / f".take_001.json.{pid}.x1y2z3.tmp",
    ]
    for path in stale:
        path.write_text(str(pid))
    live = [folder / ".take_003.reserved", folder / ".take_003.partial.mp4"]
    for path in live:
        path.write_text(str(os.getpid()))
    removed = clean_leftovers(project)
    assert sorted(removed) == sorted(stale)
    assert not any(p.exists() for p in stale) and all(p.exists() for p in live)
    assert (folder / "take_001.mp4").is_file()  # a finished take is never touched


def test_a_finished_take_the_project_never_saved_is_adopted_not_rendered_again(tmp_path, monkeypatch):
    project = chain_project(tmp_path)
    before_render = project.path.read_bytes()
    render_project(project, plan_render(project))
    record = json.loads((project.render_dir("shot_030") / "take_001.json").read_text())
    project.path.write_bytes(before_render)  # as if killed after the takes appeared, before each save
    reloaded = load_project(project.path)
    assert adoptable_take(reloaded, "shot_030", record["take"]["recipe_hash"]).key == "take_001"

    from fp_timeline.engine import registry

    real = registry.load_generator("animatic")

    class RefusesToRender:
        id, version = real.id, real.version

        def __getattr__(self, name):
            return getattr(real, name)

        def render(self, job, out, progress, cancel):
            raise AssertionError("an adoptable take was rendered again")

    monkeypatch.setattr(registry, "load_generator", lambda generator_id: RefusesToRender())
    render_project(reloaded, plan_render(reloaded))
    saved = load_project(project.path)
    assert [[t.key for t in takes_of(c)] for c in saved.generated_clips()] == [["take_001"]] * 3
    assert not plan_render(saved)


def test_a_second_render_of_the_same_clip_gets_the_next_take(tmp_path):
    project = rendered_chain(tmp_path)
    key = reserve_take_key(project, "shot_010")  # another render holds take_002 right now
    render_project(project, plan_render(project, targets=["shot_010"]))
    assert [t.key for t in takes_of(load_project(project.path).clip("shot_010"))] == ["take_001", "take_003"]
    assert key == "take_002"


def wait_for_rendering(render: subprocess.Popen, data_dir: Path, timeout: float = 60) -> None:
    """Until the process is writing a take (a partial mp4 newer than its start exists) or has ended."""
    started, end = time.time(), time.monotonic() + timeout
    while time.monotonic() < end and render.poll() is None:
        partials = list(data_dir.glob("renders/*/.*.partial.mp4"))
        if any(_mtime(p) >= started - 0.05 for p in partials):  # not one left by the previous kill
            return
        time.sleep(0.02)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


@pytest.mark.slow
def test_kill_9_at_many_points_loses_no_take_and_leaves_no_litter(tmp_path):
    """Real `fp-timeline render` processes killed with SIGKILL mid-render at spread-out moments, then finished."""
    project = chain_project(tmp_path, lengths=(96,) * 6)
    offsets = [0.0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0]  # seconds after the process starts writing a take
    survived, states = 0, []
    for offset in offsets:
        render = subprocess.Popen([CLI, "render", str(project.path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_rendering(render, project.data_dir)
        time.sleep(offset)
        render.send_signal(signal.SIGKILL)
        render.wait()
        load_project(project.path)  # valid after every kill
        survived += 1
        takes = len(list(project.data_dir.glob("renders/*/take_*.mp4")))
        states.append((offset, takes, len(list(project.data_dir.glob("renders/*/.*.partial.mp4")))))
    finished = subprocess.run([CLI, "render", str(project.path)], capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    saved = load_project(project.path)
    assert not plan_render(saved)
    listed = {(c.name, t.key) for c in saved.generated_clips() for t in takes_of(c)}
    on_disk = {(p.parent.name, p.stem) for p in project.data_dir.glob("renders/*/take_*.mp4")}
    assert on_disk <= listed  # every finished take is in the project: none lost
    litter = [p for p in tmp_path.rglob(".*") if p.suffix in (".tmp", ".reserved") or ".partial" in p.name]
    assert litter == []
    assert survived == len(offsets)
    assert sum(partials for _, _, partials in states) >= 2  # kills did hit takes in flight
    figures = {"kill9_points": len(offsets), "survived": survived, "takes_lost": len(on_disk - listed)}
    print(json.dumps(figures | {"after_each_kill_(offset,takes,partials)": states}))
