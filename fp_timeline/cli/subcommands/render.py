"""``render``, ``extend``, ``takes``: turn recipes into takes, conform one movie, pick takes.

Ctrl-C cancels cooperatively: the generator stops at its next step, the clip in flight is dropped
(its finished F1 sections stay checkpointed for the next run), every take finished before it stays
saved, and the command exits with status 130.  A second Ctrl-C aborts at once.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from fp_timeline.cli.app import (
    ProjectArg,
    app,
    console,
    editing,
    err_console,
    open_project,
    plain,
    print_error,
    reporting_errors,
    require_valid,
)
from fp_timeline.cli.options import DeviceOpt, PresetOpt, runtime_options
from fp_timeline.cli.progress import EXIT_CANCELLED, ClipBars, cancel_on_sigint, progress_bars
from fp_timeline.cli.ray_option import RayOpt, executor_for
from fp_timeline.cli.settings_args import parse_options
from fp_timeline.cli.subcommands.doctor import OffloadOpt, ThreadsOpt, explain_generators
from fp_timeline.cli.subcommands.fx import build_effects
from fp_timeline.cli.tables import print_table
from fp_timeline.engine.conform import conform_timeline, refuse_output
from fp_timeline.engine.executor import RenderEvents
from fp_timeline.engine.extend import add_extension
from fp_timeline.engine.generator import Progress, RenderCancelled
from fp_timeline.engine.identity import versions_for
from fp_timeline.engine.planner import PlannedJob, plan_render
from fp_timeline.engine.registry import generator_ids
from fp_timeline.engine.renderer import render_project
from fp_timeline.engine.variations import choose_take, plan_variations, variation_seeds
from fp_timeline.project.document import Project, load_project, save_project, save_project_as
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.hashing import recipe_hashes
from fp_timeline.project.recipe import MAX_CLIP_SECONDS
from fp_timeline.project.takes import GENERATOR_KEY, takes_of
from fp_timeline.project.text import check_clip_name, check_user_text, printable

EXIT_FAILED = 1
DEBUG_ENV = "FP_TIMELINE_DEBUG"

OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Also conform the timeline to this mp4.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Runtime option NAME=VALUE of the generators (repeatable; see `generators`)."),
]


@app.command()
def render(
    project: ProjectArg,
    clip: Annotated[
        list[str] | None,
        typer.Option("--clip", "-c", help="Render this clip as a new take with a new seed (repeatable)."),
    ] = None,
    chain: Annotated[bool, typer.Option(help="With --clip: also rerender the clips that carry from it.")] = False,
    variations: Annotated[
        int, typer.Option("--variations", "-n", help="With --clip: this many new takes, each with its own seed.")
    ] = 1,
    same_seed: Annotated[bool, typer.Option("--same-seed", help="With --clip: keep the clip's seed.")] = False,
    output: OutputOpt = None,
    preset: PresetOpt = "auto",
    device: DeviceOpt = None,
    allow_missing: Annotated[
        bool, typer.Option(help="Conform clips without media as black (with a warning) instead of failing.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be rendered, and why.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Print each generator's memory plan first.")] = False,
    offload: OffloadOpt = None,
    threads: ThreadsOpt = None,
    set_option: SetOpt = None,
    work_in: Annotated[
        Path | None,
        typer.Option(
            "--work-in", help="Render a copy of the project saved in this folder; the original is left as it is."
        ),
    ] = None,
    ray: RayOpt = None,
) -> None:
    """Render clips whose recipe has no take yet (or --clip ones anew); -o conforms one H.264 mp4."""
    options = runtime_options(preset, device, offload, threads) | _set_options(set_option)
    loaded = open_project(project)
    with reporting_errors():
        if work_in is not None:
            loaded = _working_copy(loaded, work_in)
        require_valid(loaded)
        if output is not None:
            refuse_output(loaded, output)  # before hours of rendering, not after
        jobs = _plan(loaded, clip, chain, variations, same_seed, options)
    if explain:
        explain_generators(sorted({job.recipe.generator for job in jobs if job.reuse is None}), options)
    if dry_run:
        for job in jobs:
            after = f" after {job.upstream}" if job.upstream else ""
            what = f"switch back to {job.reuse}" if job.reuse else f"render {job.recipe.frames} frames{after}"
            console.print(plain(f"{job.clip}: {what} ({job.reason})"))
        console.print(f"{len(jobs)} job(s); nothing was rendered")
        return
    _run(loaded, jobs, options, ray)
    _post_process(loaded, clip)
    if output is not None:
        _conform(loaded, output, allow_missing, options)


def _working_copy(project: Project, folder: Path) -> Project:
    """The project saved as ``folder/<name>.otio`` (paths rebased), where its takes will be written.

    An existing copy there is reused: its takes count, so running the same command again renders nothing.
    """
    target = folder / project.path.name
    if target.resolve() == project.path:
        raise ProjectError(Problem("--work-in is the project's own folder", file=project.path, field="work-in"))
    if target.is_file():
        console.print(plain(f"working copy: {target} (already there; the original is not touched)"))
        return load_project(target)
    folder.mkdir(parents=True, exist_ok=True)
    copied = save_project_as(project, target)
    console.print(plain(f"working copy: {target} (the original is not touched)"))
    return copied


def _plan(
    project: Project, clips: list[str] | None, chain: bool, variations: int, same_seed: bool, options: dict
) -> list[PlannedJob]:
    """What is stale; or, for ``--clip``, new takes: new seeds (variations) unless ``--same-seed``."""
    if not clips:
        if variations != 1 or same_seed:
            raise ProjectError(Problem("--variations and --same-seed need --clip", field="clip"))
        return plan_render(project, chain=chain, options=options)
    if same_seed and variations == 1:
        return plan_render(project, targets=clips, chain=chain, options=options)
    jobs: list[PlannedJob] = []
    for name in clips:
        seeds = variation_seeds(project, name, variations, same_seed)
        for job in plan_variations(project, name, seeds, chain=chain, options=options):
            if job.variation or all(j.clip != job.clip for j in jobs):  # a shared upstream once
                jobs.append(job)
    return jobs


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
        str | None, typer.Option(help="Generator of the new clip (default: CLIP's; the default generator for a video).")
    ] = None,
    output: OutputOpt = None,
    preset: PresetOpt = "auto",
    device: DeviceOpt = None,
    set_option: SetOpt = None,
    ray: RayOpt = None,
) -> None:
    """Add a clip right after CLIP that carries its context forward, and render it."""
    options = runtime_options(preset, device) | _set_options(set_option)
    with editing(project, "extend"):
        loaded = open_project(project)
        require_valid(loaded)
        if output is not None:
            refuse_output(loaded, output)
        check_user_text(prompt, "prompt", clip=name)
        if name is not None:
            check_clip_name(name)
        if not math.isfinite(seconds) or not 0 < seconds <= MAX_CLIP_SECONDS:
            raise ProjectError(
                Problem(f"--seconds must be more than 0 and at most {MAX_CLIP_SECONDS}, got {seconds}", field="seconds")
            )
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
            plain(
                "added ",
                (new.name, "bold"),
                f" after {clip}: {recipe.frames} frames ({recipe.frames / recipe.fps:.2f} s)",
            )
        )
    with reporting_errors():
        jobs = plan_render(loaded, targets=[new.name], options=options)
    _run(loaded, jobs, options, ray)
    _post_process(loaded, [new.name])
    if output is not None:
        _conform(loaded, output, allow_missing=False, options=options)


@app.command()
def takes(
    project: ProjectArg,
    clip: Annotated[str, typer.Option("--clip", "-c", help="The clip whose takes to list.")],
    use: Annotated[str | None, typer.Option(help="Make this take active (e.g. take_001, or 1).")] = None,
    preset: PresetOpt = "auto",
    device: DeviceOpt = None,
) -> None:
    """List a clip's takes (model, seed, created), or switch the active one with --use."""
    options = runtime_options(preset, device)
    with editing(project, "takes --use") if use is not None else reporting_errors():
        loaded = open_project(project)
        target = loaded.clip(clip)
        if use is not None:
            # isdigit() also accepts superscripts and other scripts' digits, which int() refuses
            key = f"take_{int(use):03d}" if use.isascii() and use.isdigit() else use
            if key not in target.media_references():
                known = ", ".join(t.key for t in takes_of(target)) or "none"
                message = f"clip {clip!r} has no take {key!r} (takes: {known})"
                raise ProjectError(Problem(printable(message), file=loaded.path))
            recipe = choose_take(loaded, clip, key)  # its recipe becomes the clip's: the choice sticks
            save_project(loaded)
            console.print(plain(f"{clip}: now showing ", (key, "bold"), f" (seed {recipe.seed})"))
        current = recipe_hashes(loaded, versions_for(options))[clip]
    table = Table(title=plain(f"{clip}  (recipe {current})"))
    for column in ("", "take", "model", "seed", "frames", "recipe", "created", "file"):
        table.add_column(column, overflow="fold")
    active = target.active_media_reference_key
    for take in takes_of(target):
        matches = plain(("current", "green")) if take.recipe_hash == current else plain(("older recipe", "yellow"))
        model = take.model.removeprefix("the ") or "?"
        seed = "?" if take.seed is None else str(take.seed)
        cells = (take.key, model, seed, str(take.frames), matches, take.created, take.media)
        table.add_row("▶" if take.key == active else "", *(c if isinstance(c, Text) else plain(c) for c in cells))
    print_table(table)
    if active == GENERATOR_KEY:
        console.print("no take is active: the clip shows as unrendered")


def _post_process(project: Project, clips: list[str] | None) -> None:
    """Clip effects run after the takes they process (``fx``)."""
    build_effects(project, clips or None)


def _set_options(pairs: list[str] | None) -> dict[str, Any]:
    """``--set NAME=VALUE`` options, read by the installed generators' option schemas."""
    with reporting_errors():
        return parse_options(generator_ids(), pairs or [])


def _run(project: Project, jobs: list[PlannedJob], options: dict[str, str], ray: str | None = None) -> None:
    if not jobs:
        console.print("nothing to render: every clip has a take for its current recipe")
        return
    with reporting_errors():
        executor = executor_for(ray)
    console.print(plain(f"{len(jobs)} clip(s) to render: " + ", ".join(f"{j.clip} ({j.reason})" for j in jobs)))
    started = time.monotonic()
    failed: list[str] = []
    with cancel_on_sigint() as cancel, progress_bars() as bars:
        shown = ClipBars(bars, len(jobs))
        done = shown.done
        listener = RenderEvents(finished=shown.on_take, failed=lambda job, err: failed.append(job.clip))
        try:
            with reporting_errors():
                render_project(project, jobs, options, shown.on_progress, cancel, shown.on_job, executor, listener)
        except RenderCancelled:
            bars.stop()
            err_console.print(
                plain(
                    ("cancelled", "yellow"),
                    f": {len(done)} take(s) finished and saved; "
                    "the project file is valid; run the same command to continue",
                )
            )
            raise typer.Exit(EXIT_CANCELLED) from None
        except (ValueError, RuntimeError, OSError) as err:
            # A generator's own clear message (missing weights, out of memory, unreadable file):
            # no traceback unless asked for.  Finished takes are saved; the project stays valid.
            bars.stop()
            if os.environ.get(DEBUG_ENV):
                raise
            print_error(f"{project.path}: clip {failed[0] if failed else '?'!r}: {err}")
            err_console.print(plain(f"{len(done)} take(s) finished and saved (set {DEBUG_ENV}=1 for a traceback)"))
            raise typer.Exit(EXIT_FAILED) from None
        finally:
            if executor is not None:
                executor.close()
        shown.finish()
    where = " on Ray" if executor is not None else ""
    console.print(f"rendered {len(jobs)} clip(s){where} in {time.monotonic() - started:.1f} s; project saved")


def _conform(project: Project, output: Path, allow_missing: bool, options: dict[str, str]) -> None:
    started = time.monotonic()
    with cancel_on_sigint() as cancel, progress_bars() as bars:
        task = bars.add_task("conform", total=None)

        def on_progress(p: Progress) -> None:
            bars.update(task, total=p.total, completed=p.step)

        try:
            with reporting_errors():
                result = conform_timeline(
                    project, output, allow_missing=allow_missing, progress=on_progress, cancel=cancel, options=options
                )
        except RenderCancelled:
            bars.stop()
            err_console.print(plain(("cancelled", "yellow"), ": no movie written"))
            raise typer.Exit(EXIT_CANCELLED) from None
    for warning in result.warnings:
        print_error(warning, label="warning", style="yellow")
    console.print(
        plain(
            "wrote ",
            (str(result.path), "bold"),
            f": {result.frames} frames, {result.width}x{result.height}, "
            f"{result.rate:g} fps, H.264 ({time.monotonic() - started:.1f} s)",
        )
    )
