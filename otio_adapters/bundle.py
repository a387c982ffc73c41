"""``.otioz`` bundles: the flattened cut and its media in one zip, to move a cut between machines.

OTIO's ``otioz`` adapter does the zipping but needs unique media file names, and every take is
called ``take_NNN.mp4``; so each take is first staged under its reference name
(``shot_010_take_001.mp4``) in a temporary folder.  Inside, media paths are relative
(``media/shot_010_take_001.mp4``), which ``recipe_match`` still recognises when the bundle comes back.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import opentimelineio as otio

from fp_timeline_otio.media_urls import path_from_url


def write_bundle(timeline: otio.schema.Timeline, out: Path) -> Path:
    """Write ``timeline`` and every file it references to ``out`` (replacing it); return ``out``."""
    out = Path(out)
    staged = copy.deepcopy(timeline)
    with tempfile.TemporaryDirectory(prefix="fp_bundle_") as tmp:
        names: set[str] = set()
        for clip in staged.find_clips():
            ref = clip.media_reference
            if not isinstance(ref, otio.schema.ExternalReference):
                continue
            source = path_from_url(ref.target_url)
            name = _unique(f"{ref.name or clip.name}{source.suffix}", names)
            staged_path = Path(tmp) / name
            _stage(source, staged_path)
            ref.target_url = staged_path.as_posix()
        partial = Path(tmp) / f"bundle{out.suffix or '.otioz'}"
        otio.adapters.write_to_file(staged, str(partial), adapter_name="otioz")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(partial), str(out))  # a finished bundle or none: never a half-written zip
    return out


def read_bundle(path: Path, extract_to: Path) -> otio.schema.Timeline:
    """Unpack a bundle into ``extract_to``; the timeline's media paths become absolute paths there."""
    timeline = otio.adapters.read_from_file(str(path), adapter_name="otioz", extract_to_directory=str(extract_to))
    for clip in timeline.find_clips():
        ref = clip.media_reference
        if isinstance(ref, otio.schema.ExternalReference) and not path_from_url(ref.target_url).is_absolute():
            ref.target_url = (Path(extract_to) / path_from_url(ref.target_url)).resolve().as_posix()
    return timeline


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".")
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{stem}_{number}{dot}{suffix}" if dot else f"{name}_{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _stage(source: Path, target: Path) -> None:
    try:
        os.symlink(source, target)  # the zip reads through it; no copy of a large take
    except OSError:
        shutil.copy2(source, target)
