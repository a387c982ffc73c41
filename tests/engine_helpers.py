"""Small projects for engine and render-CLI tests: animatic clips on a tiny image, no torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from fp_timeline.project.document import Project, new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.recipe import ContextMode, NoiseMode, Recipe

SIZE = {"width": 64, "height": 48, "fps": 24.0}


def write_image(path: Path, seed: int = 0) -> Path:
    """A smooth colourful test image (gradients + a few blobs), deterministic per seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:120, 0:160].astype(np.float64)
    channels = [np.sin(x / rng.uniform(8, 20) + rng.uniform(0, 6)) + np.cos(y / rng.uniform(8, 20)) for _ in range(3)]
    rgb = np.stack([(c - c.min()) / (c.max() - c.min()) * 255 for c in channels], axis=-1).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path)
    return path


def animatic_recipe(frames: int, seed: int = 1, image: str | None = "start.png", **changes) -> Recipe:
    context = ContextMode.CARRY if image is None else ContextMode.FRESH
    recipe = Recipe(f"shot seed {seed}", seed, frames, image=image, generator="animatic", context=context, **SIZE)
    return recipe.replace(**changes)


def chain_project(folder: Path, lengths: tuple[int, ...] = (12, 8, 8), continue_noise: bool = False) -> Project:
    """One fresh clip, then carried clips: shot_010 -> shot_020 -> ... on track V1, saved."""
    write_image(folder / "start.png")
    project = new_project(folder / "demo.otio", rate=SIZE["fps"])
    for i, frames in enumerate(lengths):
        if i == 0:
            add_clip(project, animatic_recipe(frames, seed=1))
        else:
            noise = NoiseMode.CONTINUE if continue_noise else NoiseMode.OWN
            add_clip(project, animatic_recipe(frames, seed=1 + i, image=None, noise=noise))
    save_project(project)
    return project


def rendered_chain(folder: Path, lengths: tuple[int, ...] = (12, 8, 8), continue_noise: bool = False) -> Project:
    """``chain_project`` with every clip rendered and saved (animatic, a fraction of a second)."""
    from fp_timeline.engine.planner import plan_render
    from fp_timeline.engine.renderer import render_project

    project = chain_project(folder, lengths, continue_noise)
    render_project(project, plan_render(project))
    return project


def take_frames(project: Project, clip_name: str) -> np.ndarray:
    """The decoded frames of a clip's active take, (T, H, W, 3) uint8."""
    from fp_timeline.engine.media import read_frames
    from fp_timeline.project.takes import active_take

    take = active_take(project.clip(clip_name))
    assert take is not None, f"{clip_name} has no active take"
    return read_frames(project.resolve(take.media))


def use_fake_generator(monkeypatch, generator) -> None:
    """Make the engine find ``generator`` under its id (planner, renderer, conform and extend)."""
    from fp_timeline.engine import registry

    real = registry.load_generator

    def load(generator_id: str):
        return generator if generator_id == generator.id else real(generator_id)

    monkeypatch.setattr(registry, "load_generator", load)


class SolidGenerator:
    """Flat grey frames whose level encodes (seed, frame): exact enough to check after H.264."""

    id = "solid"
    version = "1"

    def validate(self, recipe):
        return []

    def snap_frames(self, frames: int, carried: bool, recipe=None) -> int:
        return max(1, frames)

    @staticmethod
    def level(seed: int, index: int) -> int:
        return (seed * 60 + index * 8) % 200 + 30

    def render(self, job, out, progress, cancel):
        from fp_timeline.engine.generator import ContextBlob

        r = job.recipe
        for i in range(r.frames):
            cancel.raise_if_cancelled()
            out.write(np.full((r.height, r.width, 3), self.level(r.seed, i), dtype=np.uint8))
        job.context_path.write_bytes(b"solid")
        return ContextBlob(job.context_path, job.recipe_hash)


class InterruptedAnimatic:
    """The animatic, but the first ``render`` dies after ``fail_after`` frames, like a killed process.

    It "checkpoints" one marker file per frame in ``job.work_dir`` and records how many it found on
    start, so a test can see that the second run resumed from the same work folder.
    """

    def __init__(self, fail_after: int) -> None:
        from fp_timeline_plugins.animatic.generator import AnimaticGenerator

        self._inner = AnimaticGenerator()
        self.id, self.version = self._inner.id, self._inner.version
        self.fail_after: int | None = fail_after
        self.found_checkpoints: list[int] = []
        self.work_dirs: list[Path] = []

    def validate(self, recipe):
        return self._inner.validate(recipe)

    def snap_frames(self, frames: int, carried: bool, recipe=None) -> int:
        return self._inner.snap_frames(frames, carried, recipe)

    def render(self, job, out, progress, cancel):
        self.found_checkpoints.append(len(list(job.work_dir.glob("done_*"))))
        self.work_dirs.append(job.work_dir)
        fail_after, self.fail_after = self.fail_after, None

        class Sink:
            frames_written = 0

            def write(self, frame):
                if fail_after is not None and self.frames_written == fail_after:
                    raise SimulatedKill(f"killed after {fail_after} frames")
                out.write(frame)
                (job.work_dir / f"done_{self.frames_written:04d}").touch()
                self.frames_written += 1

        return self._inner.render(job, Sink(), progress, cancel)


class SimulatedKill(RuntimeError):
    pass
