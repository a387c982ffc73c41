"""``fx``: a clip's (or track's, or the timeline's) post-processing effects: list, add, remove, build.

    fp-timeline fx PROJECT --clip shot_010 --add upscale:2 --add interpolate:60
    fp-timeline fx PROJECT --clip shot_010 --remove interpolate        (or --remove 1)
    fp-timeline fx PROJECT --track V1 --add colormatch:shot_010
    fp-timeline fx PROJECT --build                                   (build what is missing)

Effects are non-destructive: the take stays as generated, the processed media is derived and cached in
the project folder; ``render`` builds it after the takes, conform and export use it.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fp_timeline.cli.app import ProjectArg, app, console, editing, err_console, open_project, plain, reporting_errors
from fp_timeline.cli.progress import EXIT_CANCELLED, cancel_on_sigint, progress_bars
from fp_timeline.engine.generator import Progress, RenderCancelled
from fp_timeline.engine.postfx.jobs import fit_to_processed, plan_postfx, postfx_job, run_postfx_jobs
from fp_timeline.engine.postfx.prune import prune_derived
from fp_timeline.project.document import Project, save_project
from fp_timeline.project.effects import (
    add_effect,
    effect_problems,
    effect_stack,
    own_effects,
    parse_effect,
    remove_effect,
)
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.text import printable

EffectSpecs = Annotated[
    list[str] | None,
    typer.Option(
        "--add",
        "-a",
        help="An effect: upscale:2, upscale:4,model=weights.pth, interpolate:60, interpolate:x2, "
        "loop:pingpong, loop:crossfade,overlap=12, denoise:3, sharpen:1, colormatch:shot_010 (repeatable).",
    ),
]


@app.command()
def fx(
    project: ProjectArg,
    clip: Annotated[str | None, typer.Option("--clip", "-c", help="The clip whose effects to change.")] = None,
    track: Annotated[str | None, typer.Option("--track", help="A track's effects (apply to its clips).")] = None,
    timeline: Annotated[bool, typer.Option("--timeline", help="The timeline's effects (apply to all).")] = False,
    add: EffectSpecs = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", "-r", help="Remove an effect by number (1 = first) or kind.")
    ] = None,
    build: Annotated[bool, typer.Option("--build", help="Build the processed media that is missing now.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete processed media that no clip's current effects use.")
    ] = False,
    fit: Annotated[
        bool, typer.Option("--fit", help="With --clip: make the clip as long as its processed media (loops).")
    ] = False,
) -> None:
    """List, add or remove post-processing effects (upscale, interpolate, loop, denoise, sharpen, colormatch)."""
    with editing(project, "fx") if (add or remove or fit) else reporting_errors():
        loaded = open_project(project)
        if sum(x is not None and x is not False for x in (clip, track, timeline)) > 1:
            raise ProjectError(Problem("give one of --clip, --track, --timeline", file=loaded.path))
        target = _target(loaded, clip, track, timeline)
        if add or remove:
            if target is None:
                raise ProjectError(Problem("--add/--remove need --clip, --track or --timeline", file=loaded.path))
            for which in remove or []:
                console.print(plain(f"removed {remove_effect(target, which).describe()}"))
            for spec in add or []:
                effect = parse_effect(spec, clip=clip)
                add_effect(target, effect)
                console.print(plain(f"added {effect.describe()}"))
            problems = effect_problems(loaded.timeline)
            if problems:
                raise ProjectError(problems)
        if fit:
            _fit(loaded, clip)
        if add or remove or fit:
            save_project(loaded)
        clips = [clip] if clip else None
        _list(loaded, clips)
    if build:
        build_effects(loaded, clips)
    if prune:
        with reporting_errors():
            pruned = prune_derived(loaded)
        console.print(plain(f"pruned {pruned.files} file(s), {pruned.bytes / 1e6:.1f} MB of unused processed media"))


def _fit(project: Project, clip: str | None) -> None:
    if clip is None:
        raise ProjectError(Problem("--fit needs --clip", file=project.path))
    fitted = fit_to_processed(project, project.clip(clip))
    if fitted is None:
        raise ProjectError(Problem("nothing to fit to: no effects or no take yet", file=project.path, clip=clip))
    console.print(plain(f"{clip} is now {fitted.duration.value:g} frames ({fitted.duration.to_seconds():.2f} s)"))


def _target(project: Project, clip: str | None, track: str | None, timeline: bool):
    if clip is not None:
        return project.clip(clip)
    if track is not None:
        for candidate in project.tracks():
            if candidate.name == track:
                return candidate
        names = ", ".join(t.name for t in project.tracks())
        raise ProjectError(Problem(f"no video track named {track!r} (tracks: {names})", file=project.path))
    return project.timeline.tracks if timeline else None


def _list(project: Project, clips: list[str] | None) -> None:
    table = Table(title="post-processing")
    for column in ("clip", "#", "effect", "from", "processed media"):
        table.add_column(column)
    for item in project.generated_clips():
        if clips is not None and item.name not in clips:
            continue
        stack = effect_stack(project.timeline, item)
        origins = ["clip"] * len(own_effects(item)) + ["track"] * len(own_effects(item.parent()))
        origins += ["timeline"] * (len(stack) - len(origins))
        try:
            job = postfx_job(project, item)
            state = (
                plain("no take yet")
                if job is None
                else (plain(str(job.media)) if job.done else plain(("not built", "yellow")))
            )
        except ProjectError as err:
            state = plain((err.problems[0].message, "red"))
        for number, (effect, origin) in enumerate(zip(stack, origins, strict=True), 1):
            cells = (plain(item.name), str(number), plain(effect.describe()), origin)
            table.add_row(*cells, state if number == len(stack) else "")
        if not stack and clips is not None:
            table.add_row(plain(item.name), "", "(none)", "", "")
    console.print(table)


def build_effects(project: Project, clips: list[str] | None = None) -> None:
    """Build missing processed media with a progress line per stage; Ctrl-C stops, finished stages stay."""
    with reporting_errors():
        jobs = plan_postfx(project, clips)
    if not jobs:
        return
    console.print(plain(f"{len(jobs)} clip(s) to post-process: " + ", ".join(j.clip for j in jobs)))
    with cancel_on_sigint() as cancel, progress_bars() as bars:
        task = bars.add_task("post-processing", total=None)

        def on_progress(p: Progress) -> None:
            bars.update(task, total=p.total, completed=p.step, description=escape(printable(f"{p.clip} {p.stage}")))

        try:
            with reporting_errors():
                built = run_postfx_jobs(project, jobs, on_progress, cancel)
        except RenderCancelled:
            bars.stop()
            err_console.print(plain(("cancelled", "yellow"), ": finished stages are kept; run it again to continue"))
            raise typer.Exit(EXIT_CANCELLED) from None
    for job, path in zip(jobs, built, strict=True):
        console.print(plain(f"{job.clip}: ", (str(path), "bold")))
