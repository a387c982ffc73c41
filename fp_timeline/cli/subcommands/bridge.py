"""``bridge``: a generated clip between two clips that starts on the first one's last frame and ends on the
second one's first frame.  The generator is the installed one that declares both neighbour dependencies."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from fp_timeline.cli.app import ProjectArg, app, console, editing, open_project, plain, reporting_errors, require_valid
from fp_timeline.cli.options import DeviceOpt, PresetOpt, runtime_options
from fp_timeline.cli.ray_option import RayOpt
from fp_timeline.cli.settings_args import parse_params
from fp_timeline.cli.subcommands.render import SetOpt, _post_process, _run, _set_options
from fp_timeline.engine.bridge import add_bridge, bridging_generator
from fp_timeline.engine.planner import plan_render
from fp_timeline.project.document import save_project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import MAX_CLIP_SECONDS
from fp_timeline.project.text import check_clip_name, check_user_text


@app.command()
def bridge(
    project: ProjectArg,
    before: Annotated[str, typer.Argument(help="The clip the bridge starts from (its last frame).")],
    after: Annotated[str, typer.Argument(help="The clip the bridge lands on (its first frame).")],
    prompt: Annotated[
        str | None, typer.Option("--prompt", "-p", help="What happens in between (default: AFTER's prompt).")
    ] = None,
    seconds: Annotated[
        float | None, typer.Option("--seconds", "-s", help="Length (default: the gap's, else 1.2 s), snapped.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: AFTER's).")] = None,
    name: Annotated[str | None, typer.Option(help="Name of the new clip (default: one between the two).")] = None,
    render: Annotated[bool, typer.Option("--render/--no-render", help="Render it (and its neighbours) now.")] = True,
    preset: PresetOpt = "auto",
    device: DeviceOpt = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Generator setting NAME=VALUE (repeatable; `fp-timeline generators` lists them)."),
    ] = None,
    set_option: SetOpt = None,
    ray: RayOpt = None,
) -> None:
    """Bridge the cut (or the gap) between BEFORE and AFTER with a generated clip that lands on both."""
    options = runtime_options(preset, device) | _set_options(set_option)
    with editing(project, "bridge"):
        loaded = open_project(project)
        require_valid(loaded)
        _check_input(prompt, name, seconds)
        generator = bridging_generator(loaded)
        params = parse_params(generator, param, loaded) if param else None
        chosen = {"seconds": seconds, "prompt": prompt, "seed": seed, "name": name, "params": params}
        new = add_bridge(loaded, before, after, generator=generator, **chosen)
        require_valid(loaded)
        save_project(loaded)
        recipe = loaded.recipe(new)
        summary = f" between {before} and {after}: {recipe.frames} frames ({recipe.frames / recipe.fps:.2f} s), "
        console.print(plain("added ", (new.name, "bold"), summary + f"generator {recipe.generator}"))
    if not render:
        return
    with reporting_errors():
        jobs = plan_render(loaded, targets=[new.name], options=options)
    _run(loaded, jobs, options, ray)
    _post_process(loaded, [new.name])


def _check_input(prompt: str | None, name: str | None, seconds: float | None) -> None:
    """What the user typed, before anything is built from it: text, clip name, length."""
    if prompt is not None:
        check_user_text(prompt, "prompt", clip=name)
    if name is not None:
        check_clip_name(name)
    if seconds is not None and (not math.isfinite(seconds) or not 0 < seconds <= MAX_CLIP_SECONDS):
        message = f"--seconds must be more than 0 and at most {MAX_CLIP_SECONDS}, got {seconds}"
        raise ProjectError(Problem(message, field="seconds"))
