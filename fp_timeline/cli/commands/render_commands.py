"""``render``, ``extend``, ``takes``: turn recipes into takes, conform one movie, pick takes.

Ctrl-C cancels cooperatively: the generator stops at its next step, the clip in flight is dropped
(its finished F1 sections stay checkpointed for the next run), every take finished before it stays
saved, and the command exits with status 130.  A second Ctrl-C aborts at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bars
from rich.table import Table

from fp_timeline.cli.app import (
    EXIT_PROBLEM,
    ProjectArg,
    app,
    console,
    err_console,
    open_project,
    reporting_errors,
    require_valid,
)
from fp_timeline.engine.conform import conform_timeline
from fp_timeline.engine.extend import add_extension
from fp_timeline.engine.generator import CancelToken, Progress, RenderCancelled
from fp_timeline.engine.planner import PlannedJob, plan_render
from fp_timeline.engine.registry import generator_version
from fp_timeline.engine.renderer import render_project
from fp_timeline.project.document import Project, save_project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.hashing import recipe_hashes
from fp_timeline.project.takes import GENERATOR_KEY, takes_of, use_take

EXIT_CANCELLED = 130  # the shell's convention for "ended by SIGINT"
EXIT_FAILED = 1
DEBUG_ENV = "FP_TIMELINE_DEBUG"

PresetOpt = Annotated[
    str,
    typer.Option(help="Model weights: auto (real if in the local HF cache, else toy), toy, tiny, or real."),
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Also conform the timeline to this mp4.")]
DeviceOpt = Annotated[str | None, typer.Option(help="Torch device for the generator, e.g. cpu, cuda, cuda:1.")]


@app.command()
def render(
    project: ProjectArg,
    clip: Annotated[
        list[str] | None, typer.Option("--clip", "-c", help="Rerender this clip as a new take (repeatable).")
    ] = None,
    chain: Annotated[bool, typer.Option(help="With --clip: also rerender the clips that carry from it.")] = False,
    output: OutputOpt = None,
    preset: PresetOpt = "auto",
    device: DeviceOpt = None,
    allow_missing: Annotated[
        bool, typer.Option(help="Conform clips without media as black (with a warning) instead of failing.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be rendered, and why.")] = False,
) -> None:
    """Render clips whose recipe has no take yet (or --clip ones anew); -o conforms one H.264 mp4."""
    loaded = open_project(project)
    with reporting_errors():
        require_valid(loaded)
        jobs = plan_render(loaded, targets=clip or None, chain=chain)
    if dry_run:
        for job in jobs:
            after = f" after {job.upstream}" if job.upstream else ""
            what = f"switch back to {job.reuse}" if job.reuse else f"render {job.recipe.frames} frames{after}"
            console.print(f"{job.clip}: {what} ({job.reason})")
        console.print(f"{len(jobs)} job(s); nothing was rendered")
        return
    _run(loaded, jobs, _options(preset, device))
    if output is not None:
        _conform(loaded, output, allow_missing)


@app.command()
def extend(
    project: ProjectArg,
    clip: Annotated[str, typer.Option("--clip", "-c", help="The clip to continue (generated or an imported mp4).")],
    prompt: Annotated[str, typer.Option("--prompt", "-p", help="What happens next.")],
    seconds: Annotated[float, typer.Option("--seconds", "-s", help="Length, snapped to whole sections.")] = 2.0,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the extended clip's seed + 1).")] = None,
    name: Annotated[str | None, typer.Option(help="Name of the new clip (default: the next shot_NNN).")] = None,
    continue_noise: Annotated[
        bool, typer.Option("--continue-noise", help="Continue the upstream noise stream (one long generation).")
    ] = False,
    generator: Annotated[
        str | None, typer.Option(help="Generator of the new clip (default: CLIP's; framepack_f1 for a video).")
    ] = None,
    output: OutputOpt = None,
    preset: PresetOpt = "auto",
    device: DeviceOpt = None,
) -> None:
    """Add a clip right after CLIP that carries its context forward, and render it."""
    loaded = open_project(project)
    with reporting_errors():
        require_valid(loaded)
        new = add_extension(
            loaded,
            clip,
            seconds=seconds,
            prompt=prompt,
            seed=seed,
            name=name,
            continue_noise=continue_noise,
            generator=generator,
        )
        save_project(loaded)
        recipe = loaded.recipe(new)
        console.print(
            f"added [bold]{new.name}[/bold] after {clip}: {recipe.frames} frames ({recipe.frames / recipe.fps:.2f} s)"
        )
        jobs = plan_render(loaded, targets=[new.name])
    _run(loaded, jobs, _options(preset, device))
    if output is not None:
        _conform(loaded, output, allow_missing=False)


@app.command()
def takes(
    project: ProjectArg,
    clip: Annotated[str, typer.Option("--clip", "-c", help="The clip whose takes to list.")],
    use: Annotated[str | None, typer.Option(help="Make this take active (e.g. take_001, or 1).")] = None,
) -> None:
    """List a clip's takes, or switch the active one with --use."""
    loaded = open_project(project)
    with reporting_errors():
        target = loaded.clip(clip)
        if use is not None:
            key = f"take_{int(use):03d}" if use.isdigit() else use
            try:
                use_take(target, key)
            except KeyError as err:
                raise ProjectError(Problem(err.args[0], file=loaded.path)) from None
            save_project(loaded)
            console.print(f"{clip}: now showing [bold]{key}[/bold]")
        current = recipe_hashes(loaded, generator_version)[clip]
    table = Table(title=f"{clip}  (recipe {current})")
    for column in ("", "take", "frames", "recipe", "created", "file"):
        table.add_column(column)
    active = target.active_media_reference_key
    for take in takes_of(target):
        matches = "[green]current[/]" if take.recipe_hash == current else "[yellow]older recipe[/]"
        table.add_row("▶" if take.key == active else "", take.key, str(take.frames), matches, take.created, take.media)
    console.print(table)
    if active == GENERATOR_KEY:
        console.print("no take is active: the clip shows as unrendered")


def _options(preset: str, device: str | None) -> dict[str, str]:
    if preset not in ("auto", "tiny", "toy", "real"):
        err_console.print(f"[red]error:[/red] --preset must be auto, tiny, toy or real, got {preset!r}")
        raise typer.Exit(EXIT_PROBLEM)
    return {"preset": preset} | ({"device": device} if device else {})


def _bars() -> Bars:
    return Bars(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _run(project: Project, jobs: list[PlannedJob], options: dict[str, str]) -> None:
    if not jobs:
        console.print("nothing to render: every clip has a take for its current recipe")
        return
    console.print(f"{len(jobs)} clip(s) to render: " + ", ".join(f"{j.clip} ({j.reason})" for j in jobs))
    started = time.monotonic()
    done: list[str] = []
    with _cancel_on_sigint() as cancel, _bars() as bars:
        overall = bars.add_task("clips", total=len(jobs))
        tasks: dict[str, int] = {}
        messages: set[str] = set()

        def on_job(index: int, count: int, job: PlannedJob) -> None:
            if index:
                done.append(jobs[index - 1].clip)
            bars.update(overall, completed=index)
            if job.reuse is not None:  # nothing to generate: the matching take is switched back on
                bars.add_task(f"{job.clip} back to {job.reuse}", total=1, completed=1)
                return
            tasks[job.clip] = bars.add_task(f"{job.clip}", total=None)

        def on_progress(p: Progress) -> None:
            # A report without a step count is a notice ("loading models", "tiny preset: random
            # weights"), and resuming from checkpoints is worth a line too: print those once.
            # Step reports move the clip's bar and show in its label.
            if (p.stage == "resume" or p.total == 0) and p.message and p.message not in messages:
                messages.add(p.message)
                bars.console.print(f"[cyan]{p.clip}[/]: {p.message}")
            if p.total == 0:
                return
            task = tasks.get(p.clip)
            if task is not None:
                label = p.message or p.stage + (f" section {p.section}/{p.sections}" if p.sections else "")
                bars.update(task, total=p.total, completed=p.step, description=f"{p.clip} {label}")

        try:
            with reporting_errors():
                render_project(project, jobs, options, on_progress, cancel, on_job=on_job)
        except RenderCancelled:
            bars.stop()
            err_console.print(
                f"[yellow]cancelled[/yellow]: {len(done)} take(s) finished and saved; "
                "the project file is valid; run the same command to continue"
            )
            raise typer.Exit(EXIT_CANCELLED) from None
        except (ValueError, RuntimeError, OSError) as err:
            # A generator's own clear message (missing weights, out of memory, unreadable file):
            # no traceback unless asked for.  Finished takes are saved; the project stays valid.
            bars.stop()
            if os.environ.get(DEBUG_ENV):
                raise
            clip = jobs[len(done)].clip if len(done) < len(jobs) else "?"
            err_console.print(f"[red]error:[/red] {project.path}: clip {clip!r}: {err}")
            err_console.print(f"{len(done)} take(s) finished and saved (set {DEBUG_ENV}=1 for a traceback)")
            raise typer.Exit(EXIT_FAILED) from None
        bars.update(overall, completed=len(jobs))
    console.print(f"rendered {len(jobs)} clip(s) in {time.monotonic() - started:.1f} s; project saved")


def _conform(project: Project, output: Path, allow_missing: bool) -> None:
    started = time.monotonic()
    with _cancel_on_sigint() as cancel, _bars() as bars:
        task = bars.add_task("conform", total=None)

        def on_progress(p: Progress) -> None:
            bars.update(task, total=p.total, completed=p.step)

        try:
            with reporting_errors():
                result = conform_timeline(
                    project, output, allow_missing=allow_missing, progress=on_progress, cancel=cancel
                )
        except RenderCancelled:
            bars.stop()
            err_console.print("[yellow]cancelled[/yellow]: no movie written")
            raise typer.Exit(EXIT_CANCELLED) from None
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(
        f"wrote [bold]{result.path}[/bold]: {result.frames} frames, {result.width}x{result.height}, "
        f"{result.rate:g} fps, H.264 ({time.monotonic() - started:.1f} s)"
    )


@contextlib.contextmanager
def _cancel_on_sigint() -> Iterator[CancelToken]:
    """First Ctrl-C sets the cancel token (clean stop); a second one interrupts at once."""
    cancel = CancelToken()

    def handler(signum, frame) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.cancel()
        err_console.print("[yellow]cancelling after the current step… (Ctrl-C again to abort now)[/yellow]")

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (e.g. embedded): no handler, still cancellable
        yield cancel
        return
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)
