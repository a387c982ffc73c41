"""``split``: a razor cut from the command line.  A rendered clip keeps its render (no sampling)."""

from __future__ import annotations

from typing import Annotated

import typer

from fp_timeline.cli.app import ProjectArg, app, console, editing, open_project, plain, require_valid
from fp_timeline.cli.options import DeviceOpt, PresetOpt, runtime_options
from fp_timeline.engine.split import can_split_rendered, refuse_unsplittable, split_rendered
from fp_timeline.project.document import save_project
from fp_timeline.project.errors import Problem, ProjectError


@app.command()
def split(
    project: ProjectArg,
    clip: Annotated[str, typer.Option("--clip", "-c", help="The rendered clip to cut.")],
    at: Annotated[float, typer.Option("--at", help="Seconds into the clip's generation; snapped to a section.")],
    preset: PresetOpt = "auto",
    device: DeviceOpt = None,
) -> None:
    """Cut a rendered clip in two without rendering: the second half carries on, both keep their frames."""
    options = runtime_options(preset, device)
    with editing(project, "split"):
        loaded = open_project(project)
        require_valid(loaded)
        refuse_unsplittable(loaded, clip)
        why = can_split_rendered(loaded, clip, options)
        if why is not None:
            raise ProjectError(Problem(f"cannot split without rendering: {why}", file=loaded.path, clip=clip))
        recipe = loaded.recipe(loaded.clip(clip))
        first, second = split_rendered(loaded, clip, round(at * recipe.fps), options)
        save_project(loaded)
        frames = [loaded.recipe(loaded.clip(name)).frames for name in (first, second)]
    console.print(
        plain(f"{clip} -> {first} ({frames[0]} frames) + {second} ({frames[1]} frames, carries on); nothing rendered")
    )
