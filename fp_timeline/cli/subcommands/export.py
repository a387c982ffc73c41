"""``export`` and ``import``: hand the cut to DaVinci Resolve or Premiere Pro, and take the edit back.

``export`` flattens the project (each clip's active take) and writes it with an OTIO adapter
(see ``fp_timeline_otio.formats``); it refuses while clips are unrendered or their take file is
gone, listing them, unless ``--render`` renders them first.  ``import`` reads the NLE's re-edit
(``.otio``, FCP 7 ``.xml``, ``.edl``, ``.otioz``) and writes a project with that cut whose clips
are re-linked to their recipes and takes, ready to re-render a changed shot and export again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import opentimelineio as otio
import typer

from fp_timeline.cli.app import (
    EXIT_PROBLEM,
    ProjectArg,
    app,
    console,
    editing,
    open_project,
    plain,
    print_error,
    reporting_errors,
)
from fp_timeline.cli.options import runtime_options
from fp_timeline.cli.subcommands.fx import build_effects
from fp_timeline.cli.subcommands.render import render as render_subcommand
from fp_timeline.engine.status import project_status
from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import Project, save_project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.hashing import ClipState
from fp_timeline_otio.export import export_project, read_timeline
from fp_timeline_otio.formats import BUNDLE_SUFFIX, FORMATS, format_named
from fp_timeline_otio.handles import TransitionPolicy
from fp_timeline_otio.readiness import export_problems, unready_clips
from fp_timeline_otio.relink import relink_timeline

FORMAT_HELP = "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values())


@app.command()
def export(
    project: ProjectArg,
    to: Annotated[str, typer.Option("--to", "-t", help=f"Target. {FORMAT_HELP}.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    render: Annotated[bool, typer.Option("--render", help="Render unrendered or stale clips first.")] = False,
    bundle: Annotated[
        bool, typer.Option("--bundle", help="Write a .otioz with the media inside (resolve, premiere, otio).")
    ] = False,
    start_timecode: Annotated[
        str | None, typer.Option(help="Timeline start, e.g. 01:00:00:00 (default: the project's start).")
    ] = None,
    transitions: Annotated[
        TransitionPolicy,
        typer.Option(help="overlap: keep dissolves, trimming clips for handles; cut: straight cuts at project timing."),
    ] = TransitionPolicy.OVERLAP,
    preset: Annotated[str, typer.Option(help="With --render: model weights (auto, toy, tiny, real).")] = "auto",
    device: Annotated[str | None, typer.Option(help="With --render: torch device, e.g. cuda.")] = None,
    unprocessed: Annotated[
        bool,
        typer.Option(help="Export the takes as generated, with clip effects described, for an NLE that does its own."),
    ] = False,
) -> None:
    """Write the cut (active takes) for DaVinci Resolve, Premiere Pro, an EDL or plain OTIO."""
    try:
        format_named(to)
    except ValueError as err:
        print_error(f"--to {to}: {err}")
        raise typer.Exit(EXIT_PROBLEM) from None
    loaded = _render_what_export_needs(project, preset, device) if render else open_project(project)
    if not unprocessed:
        build_effects(loaded)  # clip effects whose processed media is missing (cached: usually nothing)
    with reporting_errors():
        _refuse_unready(loaded)
        _warn_stale(loaded, runtime_options(preset, device))
        try:
            written = export_project(
                loaded,
                to,
                output,
                bundle=bundle,
                start_timecode=start_timecode,
                transitions=transitions,
                processed=not unprocessed,
            )
        except (ValueError, otio.exceptions.OTIOError) as err:  # e.g. an EDL holds one video track only
            raise ProjectError(Problem(f"cannot write {to}: {err}", file=output)) from None
    clips = sum(1 for _ in loaded.generated_clips())
    console.print(
        plain("wrote ", (str(written), "bold"), f": {clips} clips for {to}", " (bundle with media)" if bundle else "")
    )


@app.command("import")
def import_edit(
    edit: Annotated[Path, typer.Argument(help="The NLE's edit: .otio, .xml (FCP 7), .edl or .otioz.")],
    project: Annotated[Path, typer.Option("--project", "-p", help="The project the cut was exported from.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The new project file (default: <project>_edit.otio).")
    ] = None,
    rate: Annotated[float | None, typer.Option(help="Frame rate of an EDL (default: the project's).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Re-link a cut re-edited in the NLE to its recipes: a new project with that cut, ready to re-render."""
    loaded = open_project(project)
    target = output or loaded.path.with_name(f"{loaded.path.stem}_edit.otio")
    with editing(target, "import"):
        if target.exists() and not force:
            raise ProjectError(Problem("file exists already (use --force to replace it)", file=target))
        # A bundle's media is unpacked beside the new project: clips that are not ours play from there.
        bundle_media = target.parent / f"{target.stem}.media" if edit.suffix == BUNDLE_SUFFIX else None
        if bundle_media is not None:
            bundle_media.mkdir(parents=True, exist_ok=True)
        try:
            edited = read_timeline(edit, rate=rate or loaded.rate, extract_to=bundle_media)
        except (ValueError, OSError) as err:
            raise ProjectError(Problem(f"cannot read the edit: {err}", file=edit)) from None
        except Exception as err:  # the adapters raise their own parse errors
            raise ProjectError(Problem(f"not a readable edit ({type(err).__name__}): {err}", file=edit)) from None
        result = relink_timeline(edited, loaded, target)
        save_project(result.project)
    for name, match in result.matches:
        take = f" {match.take}" if match.take else ""
        console.print(plain(f"  {name} -> ", (match.clip, "bold"), f"{take} (by {match.how})"))
    for name in result.unmatched:
        console.print(plain(f"  {name}: ", ("not one of ours", "yellow"), ", kept as a plain clip"))
    if result.dropped:
        console.print(plain(f"  removed in the edit: {', '.join(result.dropped)}"))
    console.print(
        plain(
            "wrote ",
            (str(result.project.path), "bold"),
            f": {len(result.matches)} clips re-linked, {len(result.unmatched)} plain",
        )
    )
    problems = validate_project(result.project)
    for problem in problems:
        print_error(problem, label="warning", style="yellow")


def _refuse_unready(project: Project) -> None:
    problems = export_problems(project)
    if problems:
        hint = Problem(
            f"{len(problems)} clip(s) not ready to export: {', '.join(unready_clips(project))}; "
            "run `fp-timeline render` or add --render",
            file=project.path,
        )
        raise ProjectError([*problems, hint])


def _warn_stale(project: Project, options: dict[str, str]) -> None:
    """Stale takes export (the editor gets what was rendered) but the user should know."""
    try:
        rows = project_status(project, options)
    except ProjectError:  # a generator that is not installed: its clips' state is unknown, export anyway
        return
    stale = [row.clip for row in rows if row.state is ClipState.STALE]
    if stale:
        print_error(
            f"exporting takes rendered from an older recipe: {', '.join(stale)} (--render renders them anew)",
            label="warning",
            style="yellow",
        )


def _render_what_export_needs(path: Path, preset: str, device: str | None) -> Project:
    """``fp-timeline render`` (its progress, Ctrl-C and errors), plus clips whose take file is gone."""
    render_subcommand(project=path, preset=preset, device=device)
    loaded = open_project(path)
    # A take whose file was deleted still counts as rendered for the planner: ask for those by name.
    missing = unready_clips(loaded)
    if missing:
        render_subcommand(project=path, clip=missing, preset=preset, device=device)
        loaded = open_project(path)
    return loaded
