"""Sample projects copied as they are tracked, whatever a user did to the working copy.

Running the app on ``sample_projects/`` in place (an older README did) adds takes to the ``.otio``
and a ``<stem>.fp/`` folder of renders beside it.  Tests copy only the project files and images and
drop every take, so they never read the working copy as if it were pristine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.takes import GENERATOR_KEY

SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects"
LEFTOVERS = ("*.fp", "*.mp4", "*.mov", "*.tmp", "*~")  # renders, movies, interrupted saves


def pristine_sample(name: str, folder: Path) -> Path:
    """``sample_projects/<name>`` copied to ``folder`` without renders or takes; returns the folder."""
    shutil.copytree(SAMPLES / name, folder, ignore=shutil.ignore_patterns(*LEFTOVERS))
    for path in folder.glob("*.otio"):
        project = load_project(path)
        changed = False
        for clip in project.generated_clips():
            refs = dict(clip.media_references())
            if set(refs) != {GENERATOR_KEY}:
                clip.set_media_references({GENERATOR_KEY: refs[GENERATOR_KEY]}, GENERATOR_KEY)
                changed = True
        if changed:
            save_project(project)
    return folder
