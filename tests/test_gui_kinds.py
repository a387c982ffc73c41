"""Kinds are enums, not strings: the timeline's blocks, the queue's job states, and how a movie export
ended (a failure whose text happens to be "cancelled" is still a failure)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import opentimelineio as otio  # noqa: E402

from fp_timeline.engine.generator import RenderCancelled  # noqa: E402
from fp_timeline.ui import conform_task  # noqa: E402
from fp_timeline.ui.conform_task import ConformEnd, _ConformWorker  # noqa: E402
from fp_timeline.ui.render_queue import JobRow, JobState  # noqa: E402
from fp_timeline.ui.timeline_layout import BlockKind, layout_timeline  # noqa: E402
from tests.project_helpers import chain_project  # noqa: E402


def test_blocks_have_a_kind_of_their_own(tmp_path):
    project = chain_project(tmp_path, clips=2)
    track = project.tracks()[0]
    track.insert(1, otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(6, 30))))
    track.append(otio.schema.Clip(name="found", source_range=track[0].source_range))
    kinds = [b.kind for b in layout_timeline(project, {}).tracks[0]]
    assert kinds == [BlockKind.CLIP, BlockKind.GAP, BlockKind.CLIP, BlockKind.OTHER]


def test_job_rows_hold_a_job_state():
    row = JobRow("shot_010", "unrendered", state="rendering")
    assert row.state is JobState.RENDERING and row.state.active
    assert not JobRow("shot_010", "x", state=JobState.CANCELLED).state.active


def _ended(monkeypatch, tmp_path, error: BaseException):
    def conform(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(conform_task, "conform_timeline", conform)
    outcomes = []
    worker = _ConformWorker(chain_project(tmp_path), tmp_path / "out.mp4", conform_task.CancelToken())
    worker.finished.connect(outcomes.append)
    worker.run()
    return outcomes


def test_an_export_that_fails_with_the_text_cancelled_is_a_failure(monkeypatch, tmp_path, qapp):
    (failed,) = _ended(monkeypatch, tmp_path / "a", ValueError("cancelled"))
    assert failed.end is ConformEnd.FAILED and failed.message == "cancelled"
    (cancelled,) = _ended(monkeypatch, tmp_path / "b", RenderCancelled("stop"))
    assert cancelled.end is ConformEnd.CANCELLED and cancelled.result is None
