"""The worker side of the Ray executor: one ``ClipWorker`` actor per GPU, and the driver's channel.

A ``ClipWorker`` lives in its own process for the whole run and keeps every generator it loaded
(``registry.load_generator`` caches one instance per process, and a generator keeps its models),
so the second clip on a worker does not load the model again.  It asks Ray for a whole GPU, so no
two workers share one, and it releases one generator's models before another's load: no GPU ever
holds two copies of a model, nor two models.

Nothing here touches the project: a clip's inputs arrive as bytes (start image, incoming context),
the take goes back as bytes (``RenderedClip``), and the driver writes it under the names it chose.
Section checkpoints go to the driver's ``work_dir`` when this machine sees the project folder
(shared storage, or a local cluster), else to a folder on this node; either way a task that Ray
retries after its worker died resumes from the sections already finished.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ray

from fp_timeline.engine import registry
from fp_timeline.engine.generator import CancelToken, ContextBlob, Progress, RenderCancelled, RenderJob
from fp_timeline.engine.take_files import RenderedClip, generate, remove_work_dir

PROGRESS_INTERVAL = 0.2  # s between forwarded step reports (notices and stage changes always go)
PREVIEW_INTERVAL = 0.5  # s between forwarded latent previews
CANCEL_POLL = 0.5  # s between asking the driver's channel whether this clip was cancelled


@dataclass(frozen=True)
class ClipTask:
    """One clip for a worker: the driver's ``RenderJob`` plus the bytes a remote machine cannot read."""

    render: RenderJob  # paths as the driver sees them
    media: Path  # where the driver wants the take's mp4
    staged_media: Path  # beside it, hidden: where a worker that sees the project folder writes the mp4
    image: bytes | None  # the start image file's bytes
    incoming: bytes | None  # the upstream context when it is a take already on disk (else an ObjectRef)
    shared: bool | None = None  # does this machine see the project folder?  None: look (the work dir exists)


@dataclass(frozen=True)
class WorkerStart:
    """A worker began (or, after a restart, began again) a clip."""

    clip: str
    host: str
    pid: int


class RenderChannel:
    """Progress up, cancels down: a tiny actor the driver polls and the workers report to."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget an earlier run's reports and cancels."""
        self._reports: list[Progress | WorkerStart] = []
        self._cancelled: set[str] = set()
        self._everything = False

    def report(self, report: Progress | WorkerStart) -> None:
        self._reports.append(report)

    def drain(self) -> list[Progress | WorkerStart]:
        reports, self._reports = self._reports, []
        return reports

    def cancel(self, clip: str | None = None) -> None:
        if clip is None:
            self._everything = True
        else:
            self._cancelled.add(clip)

    def is_cancelled(self, clip: str) -> bool:
        return self._everything or clip in self._cancelled


class ClipWorker:
    """Renders clips one at a time in this process, models kept loaded between them."""

    def __init__(self, channel_name: str) -> None:
        # Found by name, not passed as a handle: a restarted worker looks it up again.
        self.channel = ray.get_actor(channel_name)

    def where(self) -> tuple[str, int]:
        return socket.gethostname(), os.getpid()

    def render(self, task: ClipTask, incoming: bytes | None) -> tuple[bytes, RenderedClip]:
        """Render one clip; returns (outgoing context bytes, the take as ``RenderedClip``).

        When this machine sees the project folder, the files go where the driver named them (the mp4
        staged under a hidden name) and only their names travel; otherwise they travel as bytes.
        """
        job = task.render
        host, pid = self.where()
        self.channel.report.remote(WorkerStart(job.clip, host, pid))
        cancel = _ChannelCancel(self.channel, job.clip)
        cancel.raise_if_cancelled()
        shared = job.work_dir.is_dir() if task.shared is None else task.shared  # the driver made that folder
        scratch = Path(tempfile.gettempdir()) / "fp-timeline-ray" / _digest(f"{job.work_dir}|{pid}")
        shutil.rmtree(scratch, ignore_errors=True)  # what an earlier, killed attempt left here
        try:
            if shared:
                local, media = job, task.staged_media
            else:
                local = _mirrored(task, incoming if incoming is not None else task.incoming, scratch)
                media = _mirror(scratch, task.media)
            generator = registry.load_generator(job.recipe.generator)
            registry.release_others(keep=generator.id)  # one model at a time on this worker's GPU
            started = time.monotonic()
            blob, frames = generate(generator, local, media, _Forwarder(self.channel), cancel)
            context = local.context_path.read_bytes()
            rendered = RenderedClip(
                clip=job.clip,
                media=None if shared else media.read_bytes(),
                context=None if shared else context,
                extras={} if shared else _extras(media, local.context_path),
                frames=frames,
                context_metadata=dict(blob.metadata),
                generator={"id": generator.id, "version": generator.version},
                seconds=time.monotonic() - started,
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if not shared:  # node-local checkpoints: ours to clean up; shared ones the driver removes
            remove_work_dir(local.work_dir)
        return context, rendered


def _mirrored(task: ClipTask, incoming: bytes | None, root: Path) -> RenderJob:
    """The driver's ``RenderJob`` re-rooted under ``root`` on this machine, inputs written from bytes.

    Every file keeps its place relative to the others, so a generator that records a relative path
    in its context (the animatic does) writes the same bytes as on the driver.
    """
    job = task.render
    image_path = None
    if job.image_path is not None and task.image is not None:
        image_path = _mirror(root, job.image_path)
        image_path.parent.mkdir(parents=True, exist_ok=True)
        image_path.write_bytes(task.image)
    blob = None
    if job.incoming is not None:
        if incoming is None:
            raise ValueError(f"clip {job.clip!r} carries but no incoming context arrived")
        path = _mirror(root, job.incoming.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(incoming)
        blob = ContextBlob(path=path, hash=job.incoming.hash, metadata=dict(job.incoming.metadata))
    context_path = _mirror(root, job.context_path)
    context_path.parent.mkdir(parents=True, exist_ok=True)
    node = Path(tempfile.gettempdir()) / "fp-timeline-node"
    work = node / "work" / _digest(job.work_dir)
    cache = node / "cache" / _digest(job.cache_dir) if job.cache_dir is not None else None  # kept: reused
    return dataclasses.replace(
        job, image_path=image_path, incoming=blob, context_path=context_path, work_dir=work, cache_dir=cache
    )


def _extras(media: Path, context: Path) -> dict[str, bytes]:
    """Other files of this take the generator wrote beside its context (``take_NNN.*``), by name."""
    key = media.stem
    return {
        f.name: f.read_bytes() for f in context.parent.glob(f"{key}.*") if f.is_file() and f not in (media, context)
    }


def _mirror(root: Path, path: Path) -> Path:
    return root / Path(path).relative_to(Path(path).anchor)


class _ChannelCancel(CancelToken):
    """Set when the driver cancels this clip (or everything); asks the channel at most every 0.5 s."""

    def __init__(self, channel: Any, clip: str) -> None:
        super().__init__()
        self._channel, self._clip = channel, clip
        self._checked = 0.0
        self._lock = threading.Lock()

    def is_set(self) -> bool:
        with self._lock:
            if not super().is_set() and time.monotonic() - self._checked >= CANCEL_POLL:
                self._checked = time.monotonic()
                if ray.get(self._channel.is_cancelled.remote(self._clip)):
                    self.cancel()
        return super().is_set()

    def raise_if_cancelled(self) -> None:
        if self.is_set():
            raise RenderCancelled("render cancelled")


class _Forwarder:
    """Sends progress to the channel without flooding it: every notice, steps and previews throttled."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._last_step = 0.0
        self._last_preview = 0.0
        self._stage = ""

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        notice = progress.total == 0 or progress.stage != self._stage or progress.step >= progress.total
        self._stage = progress.stage
        if not notice and now - self._last_step < PROGRESS_INTERVAL:
            return
        self._last_step = now
        if progress.preview is not None:
            if now - self._last_preview < PREVIEW_INTERVAL:
                progress = dataclasses.replace(progress, preview=None)
            else:
                self._last_preview = now
        self._channel.report.remote(progress)


def _digest(value: object) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()[:16]
