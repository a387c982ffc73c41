"""StepReporter, shared by F1 and the bridge: messages, resumed sections left out of the ETA, cancel."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from fp_timeline.engine.generator import CancelToken, RenderCancelled  # noqa: E402
from fp_timeline_plugins.framepack_f1.step_report import StepReporter  # noqa: E402

LATENTS = torch.zeros(1, 16, 2, 2, 2)


def test_bridge_order_and_resumed_sections():
    seen = []
    steps = StepReporter("bridge_1", 3, 2, 0, seen.append, CancelToken(), order=" (from the end)")
    steps.resumed(0, 1)
    steps.for_section(1)({"i": 0, "denoised": LATENTS})
    resume, sample = seen
    assert (resume.stage, resume.step, resume.total, resume.section) == ("resume", 1, 1, 1)
    assert resume.message == "section 1/2 (from the end) from the last attempt"
    assert (sample.stage, sample.step, sample.total, sample.section, sample.sections) == ("sample", 4, 6, 2, 2)
    assert sample.message.startswith("section 2/2 (from the end), step 1/3, ETA ")
    assert steps.first_step == 3  # the resumed section's steps are not in the rate
    assert sample.preview is not None and sample.preview.shape == (2, 4, 3)


def test_f1_messages_and_cancel():
    seen, cancel = [], CancelToken()
    steps = StepReporter("shot_010", 2, 3, 1, seen.append, cancel)
    steps.for_section(1)({"i": 1, "denoised": LATENTS})
    assert seen[0].message.startswith("section 2/3, step 2/2, ETA ")
    assert seen[0].step == 4
    cancel.cancel()
    with pytest.raises(RenderCancelled):
        steps.for_section(2)({"i": 0, "denoised": LATENTS})
    assert len(seen) == 1
