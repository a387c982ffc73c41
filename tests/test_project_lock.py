"""One writer per project, checked with real processes: refusals name the holder, readers never wait."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fp_timeline.project.document import load_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.lock import project_lock
from tests.project_helpers import chain_project

CLI = [str(Path(sys.executable).with_name("fp-timeline"))]
HOLD = """
import sys, time
from fp_timeline.project.lock import project_lock
with project_lock(sys.argv[1], command="fp-timeline render (test holder)"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(project_path: Path, seconds: float = 60) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project_path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def cli(*args, wait: float = 0.3, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "FP_TIMELINE_LOCK_WAIT": str(wait), "COLUMNS": "300"}
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, env=env, timeout=120, **kwargs)


def test_a_second_writer_is_refused_naming_the_holder_and_readers_work(tmp_path):
    project = chain_project(tmp_path)
    before = project.path.read_bytes()
    holder = hold_lock(project.path)
    try:
        added = cli("add", project.path, "-p", "x", "--generator", "animatic", "--carry")
        assert added.returncode == 2
        assert f"pid {holder.pid}" in added.stderr and "fp-timeline render (test holder)" in added.stderr
        assert "since" in added.stderr and "Traceback" not in added.stderr
        assert project.path.read_bytes() == before
        assert cli("info", project.path).returncode == 0  # readers never take the lock
        assert cli("validate", project.path).returncode == 0
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_dies_with_its_process(tmp_path):
    project = chain_project(tmp_path)
    holder = hold_lock(project.path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    added = cli("add", project.path, "-p", "after the kill", "--generator", "animatic", "--carry")
    assert added.returncode == 0, added.stderr
    assert len(list(load_project(project.path).generated_clips())) == 4


def test_in_process_the_lock_is_reentrant_and_another_process_waits(tmp_path):
    project = chain_project(tmp_path)
    with project_lock(project.path, command="outer"), project_lock(project.path, command="inner"):
        probe = cli("add", project.path, "-p", "x", "--generator", "animatic", "--carry", wait=0.1)
        assert probe.returncode == 2 and f"pid {os.getpid()}" in probe.stderr
    with project_lock(project.path, wait=0):  # released: free again at once
        pass
    holder = hold_lock(project.path)
    try:
        with pytest.raises(ProjectError, match="another fp-timeline"), project_lock(project.path, wait=0.1):
            pass
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_parallel_adds_never_lose_a_clip(tmp_path):
    project = chain_project(tmp_path, clips=1)
    count = 8
    env = {**os.environ, "FP_TIMELINE_LOCK_WAIT": "120"}
    adds = [
        subprocess.Popen(
            [*CLI, "add", str(project.path), "-p", f"p{i}", "--name", f"par_{i}", "--generator", "animatic", "--carry"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(count)
    ]
    started = time.monotonic()
    results = [(p.wait(timeout=300), p.stderr.read()) for p in adds]
    names = {c.name for c in load_project(project.path).generated_clips()}
    landed = [i for i, (rc, _) in enumerate(results) if rc == 0]
    refused = [i for i, (rc, err) in enumerate(results) if rc == 2 and "another fp-timeline" in err]
    assert sorted(landed + refused) == list(range(count)), results  # each one landed or was refused, clearly
    assert {f"par_{i}" for i in landed} <= names  # nothing that said "added" is lost
    assert not {f"par_{i}" for i in refused} & names
    assert len(landed) == count, f"with a 120 s wait all {count} land ({time.monotonic() - started:.0f} s)"
    lost = len({f"par_{i}" for i in landed} - names)
    print(json.dumps({"parallel_adds": count, "landed": len(landed), "refused": len(refused), "clips_lost": lost}))
