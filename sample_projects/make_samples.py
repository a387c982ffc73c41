"""Rebuild the sample projects' .otio files (the images are committed beside them).

Run from the repo root: ``python sample_projects/make_samples.py``.  Frame counts are whole
FramePack F1 sections at the default window (9 latents = 36 frames a section; a fresh clip adds
the start frame).
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from fp_timeline.project.document import new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.recipe import ContextMode, Recipe

HERE = Path(__file__).resolve().parent


def three_shots() -> None:
    """A cat: one fresh shot, two cuts that carry its packed context, then a dissolve to coffee."""
    project = new_project(HERE / "three_shots" / "three_shots.otio", name="three shots")
    size = {"width": 144, "height": 96, "fps": 30.0}
    add_clip(project, Recipe("the cat turns its head and looks around", 1, 73, image="chelsea.png", **size))
    add_clip(project, Recipe("the cat blinks slowly", 2, 36, context=ContextMode.CARRY, **size))
    add_clip(project, Recipe("the cat yawns widely", 3, 36, context=ContextMode.CARRY, **size))
    track = project.tracks()[0]
    track.append(
        otio.schema.Transition(
            name="dissolve",
            transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
            in_offset=otio.opentime.RationalTime(6, 30),
            out_offset=otio.opentime.RationalTime(6, 30),
        )
    )
    add_clip(project, Recipe("steam rises slowly from the cup", 4, 37, image="coffee.png", **size))
    save_project(project)


def one_shot() -> None:
    """One fresh shot to extend forward with ``fp-timeline extend``."""
    project = new_project(HERE / "one_shot" / "one_shot.otio", name="one shot")
    add_clip(
        project,
        Recipe("the astronaut waves at the camera", 42, 37, image="astronaut.png", width=96, height=96),
    )
    save_project(project)


if __name__ == "__main__":
    three_shots()
    one_shot()
