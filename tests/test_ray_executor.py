"""The Ray executor on a local two-CPU cluster, with F1's tiny preset: chains as task dependencies.

One cluster serves the module (starting Ray costs seconds); every test ends with its workers
killed, and the cluster is shut down at the end, so no Ray process outlives the module.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from safetensors import safe_open

ray = pytest.importorskip("ray")
pytest.importorskip("torch")

from fp_timeline.engine.executor import RenderEvents  # noqa: E402
from fp_timeline.engine.optional_ray import ray_executor  # noqa: E402
from fp_timeline.engine.planner import plan_render  # noqa: E402
from fp_timeline.engine.renderer import render_project  # noqa: E402
from fp_timeline.project.document import Project, load_project, new_project, save_project  # noqa: E402
from fp_timeline.project.edits import add_clip  # noqa: E402
from fp_timeline.project.takes import active_take  # noqa: E402
from tests.f1_helpers import recipe, write_image  # noqa: E402

pytestmark = pytest.mark.slow
OPTIONS = {"preset": "tiny", "device": "cpu"}


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def executor(cluster):
    made = ray_executor()  # one pool for the module: the workers keep their models between tests
    try:
        yield made
    finally:
        made.close()
        assert not made._actors  # the workers are gone


def two_chains(folder: Path, sections: tuple[int, int] = (1, 1)) -> Project:
    """shot_010 -> shot_020 and, independently, shot_030 -> shot_040 (tiny F1, 32x32)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_image(folder / "start.png", 5)
    project = new_project(folder / "chains.otio", rate=30.0)
    for first_seed in (1, 7):
        add_clip(project, recipe(f"chain {first_seed} begins", first_seed, sections[0]))
        add_clip(project, recipe(f"chain {first_seed} goes on", first_seed + 1, sections[1], carry=True))
    save_project(project)
    return project


def files_of(project: Project) -> dict[str, tuple[bytes, dict, dict]]:
    """Each clip's active take: mp4 bytes, and the context's metadata and tensor bytes.

    The context is compared by content: safetensors keeps metadata in a hash map, so its key order
    (and so the file's bytes) differs between any two processes, local ones too.
    """
    from safetensors.numpy import load

    found = {}
    for clip in project.generated_clips():
        take = active_take(clip)
        assert take is not None, f"{clip.name} has no take"
        context = project.resolve(take.context)
        with safe_open(str(context), framework="numpy") as f:
            metadata = f.metadata()
        tensors = {k: v.tobytes() for k, v in load(context.read_bytes()).items()}
        found[clip.name] = (project.resolve(take.media).read_bytes(), metadata, tensors)
    return found


def take_files(folder: Path) -> list[str]:
    """Every file in the project's renders folder (hidden ones too), relative to it."""
    renders = folder / "chains.fp" / "renders"
    return sorted(str(p.relative_to(renders)) for p in renders.rglob("*") if p.is_file())


def local_render(folder: Path, sections: tuple[int, int]) -> dict[str, tuple[bytes, dict, dict]]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as a one-CPU Ray worker runs: same float reductions, same bytes
    try:
        project = two_chains(folder, sections)
        render_project(project, plan_render(project), OPTIONS)
    finally:
        torch.set_num_threads(threads)
    return files_of(project)


def test_two_chains_run_side_by_side_and_match_the_local_render(tmp_path, executor):
    project = two_chains(tmp_path / "ray")
    spans: dict[str, list[float]] = {}
    listener = RenderEvents(
        started=lambda job: spans.setdefault(job.clip, [time.monotonic(), 0.0]),
        finished=lambda job, take: spans[job.clip].__setitem__(1, time.monotonic()),
    )
    executor.shared_storage = False  # as on a cluster without shared storage: everything travels as bytes
    try:
        takes = render_project(project, plan_render(project), OPTIONS, executor=executor, listener=listener)
    finally:
        executor.shared_storage = None

    assert len(takes) == 4
    assert executor.worker_of["shot_010"][1] != executor.worker_of["shot_030"][1]  # two workers
    # the chains overlapped: each first clip started before the other chain's last clip finished
    assert spans["shot_010"][0] < spans["shot_040"][1] and spans["shot_030"][0] < spans["shot_020"][1]
    # a carried clip started only after its upstream finished (task dependency)
    assert spans["shot_020"][0] >= spans["shot_010"][1] - 0.5 and spans["shot_040"][0] >= spans["shot_030"][1] - 0.5
    saved = load_project(project.path)  # the driver saved every take
    assert [j.clip for j in plan_render(saved) if j.reuse is None] == []
    assert files_of(saved) == local_render(tmp_path / "local", (1, 1))
    assert take_files(tmp_path / "ray") == take_files(tmp_path / "local")  # F1's sections files came back too


def test_a_killed_worker_is_restarted_and_its_clip_resumes_with_identical_output(tmp_path, executor):
    project = two_chains(tmp_path / "ray", sections=(3, 1))
    killed: list[int] = []
    resumed: list[str] = []

    def on_progress(p) -> None:
        if p.stage == "resume":
            resumed.append(p.clip)
        # mid-clip: shot_010 has finished (and checkpointed) its first section
        if p.clip == "shot_010" and p.stage == "sample" and p.section == 2 and not killed:
            pid = executor.worker_of["shot_010"][1]
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)

    render_project(project, plan_render(project), OPTIONS, progress=on_progress, executor=executor)

    assert killed, "the test never saw shot_010 sampling its second section"
    assert executor.worker_of["shot_010"][1] != killed[0]  # a new worker process finished it
    assert "shot_010" in resumed  # from the section checkpoints, not from scratch
    saved = load_project(project.path)
    assert files_of(saved) == local_render(tmp_path / "local", (3, 1))
    assert not list((saved.data_dir / "renders").rglob(".*"))  # no staged or partial file left behind


def test_cancelling_on_ray_stops_the_workers_and_keeps_the_project_valid(tmp_path, executor):
    from fp_timeline.engine.generator import CancelToken, RenderCancelled

    project = two_chains(tmp_path / "ray", sections=(2, 1))
    cancel = CancelToken()
    seen: list[str] = []

    def on_progress(p) -> None:
        if p.stage == "sample":
            seen.append(p.clip)
            cancel.cancel()  # as Ctrl-C does in the CLI

    started = time.monotonic()
    with pytest.raises(RenderCancelled):
        render_project(project, plan_render(project), OPTIONS, on_progress, cancel, executor=executor)
    assert seen and time.monotonic() - started < 60
    saved = load_project(project.path)  # valid; every take it lists is whole
    for clip in saved.generated_clips():
        take = active_take(clip)
        assert take is None or saved.resolve(take.media).is_file()
    hidden = [name for name in take_files(tmp_path / "ray") if Path(name).name.startswith(".")]
    assert hidden == []  # no staged mp4, partial file or take reservation left behind


def test_cli_render_with_ray_matches_a_local_render_and_saves_every_take(tmp_path, executor):
    from typer.testing import CliRunner

    executor.close()  # the command starts workers of its own; two CPUs hold only one pool
    from fp_timeline.cli import app
    from tests.engine_helpers import animatic_recipe, chain_project

    def animatic_chains(folder: Path) -> Project:
        project = chain_project(folder, lengths=(12, 8))
        add_clip(project, animatic_recipe(10, seed=5))  # a second, independent chain
        add_clip(project, animatic_recipe(6, seed=6, image=None))
        save_project(project)
        return project

    on_ray, here = animatic_chains(tmp_path / "ray"), animatic_chains(tmp_path / "local")
    result = CliRunner().invoke(app, ["render", str(on_ray.path), "--ray"])
    assert result.exit_code == 0, result.output
    assert "on Ray" in result.output
    render_project(here, plan_render(here))
    assert files_of(load_project(on_ray.path)) == files_of(here)
