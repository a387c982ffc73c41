"""A project with one or two real rendered animatic clips (64x48 at 24 fps) for post-processing tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.postfx.jobs import plan_postfx, run_postfx_jobs
from fp_timeline.engine.renderer import render_project
from fp_timeline.project.document import Project, new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.effects import add_effect, parse_effect
from tests.engine_helpers import SIZE, animatic_recipe, write_image

MOVING = {"zoom_per_second": 0.3, "pan_per_second": 0.4}  # a move big enough to see frame to frame


def rendered(folder: Path, lengths: tuple[int, ...] = (73,)) -> Project:
    """Fresh-context animatic clips shot_010, shot_020... with a visible move, rendered (real H.264 takes)."""
    write_image(folder / "start.png")
    project = new_project(folder / "demo.otio", rate=SIZE["fps"])
    for i, frames in enumerate(lengths):
        add_clip(project, animatic_recipe(frames, seed=1 + i, params=dict(MOVING)))
    save_project(project)
    render_project(project, plan_render(project))
    return project


def with_effects(project: Project, clip: str, *specs: str) -> Project:
    for spec in specs:
        add_effect(project.clip(clip), parse_effect(spec))
    save_project(project)
    return project


def build_all(project: Project) -> list[Path]:
    return run_postfx_jobs(project, plan_postfx(project))


def frame_step(frames: np.ndarray) -> float:
    """The mean absolute difference between consecutive frames: how much the shot moves per frame."""
    diffs = np.abs(frames[1:].astype(np.float32) - frames[:-1].astype(np.float32)).mean(axis=(1, 2, 3))
    return float(np.median(diffs))


def difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())
