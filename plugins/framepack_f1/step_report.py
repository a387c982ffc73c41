"""Per sampler step progress for a clip's sections: cancel, ETA and a latent preview (F1 and the bridge)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fp_timeline.engine.generator import CancelToken, Progress, ProgressCallback

if TYPE_CHECKING:
    from .sampling import StepCallback


class StepReporter:
    """Per sampler step: honour cancel, report progress with ETA and a latent preview.

    ``first``: sections done before this run (resumed), not in the ETA's rate.  ``order``: said after
    "section k/n" (the bridge's " (from the end)": it samples the clip's last section first).
    """

    def __init__(
        self,
        clip: str,
        steps: int,
        sections: int,
        first: int,
        progress: ProgressCallback,
        cancel: CancelToken,
        order: str = "",
    ) -> None:
        self.clip, self.steps, self.sections, self.order = clip, steps, sections, order
        self.total = steps * sections
        self.first_step = first * steps  # steps already done before this run (resumed sections)
        self.progress, self.cancel = progress, cancel
        self.started = time.monotonic()

    def resumed(self, index: int, done: int) -> None:
        """Section ``index`` (of ``done``) comes from an earlier attempt's checkpoint: not sampled again; the
        ETA's rate counts from after it."""
        self.cancel.raise_if_cancelled()
        message = f"section {index + 1}/{self.sections}{self.order} from the last attempt"
        self.progress(Progress(self.clip, "resume", index + 1, done, index + 1, self.sections, message))
        self.first_step, self.started = (index + 1) * self.steps, time.monotonic()

    def for_section(self, index: int) -> StepCallback:
        from .preview import latent_preview

        def on_step(d: dict) -> None:
            self.cancel.raise_if_cancelled()  # cooperative: between sampler steps
            step = index * self.steps + d["i"] + 1
            rate = (time.monotonic() - self.started) / (step - self.first_step)
            message = f"section {index + 1}/{self.sections}{self.order}, step {d['i'] + 1}/{self.steps}, "
            message += f"ETA {rate * (self.total - step):.0f}s"
            self.progress(
                Progress(
                    self.clip,
                    "sample",
                    step,
                    self.total,
                    index + 1,
                    self.sections,
                    message,
                    preview=latent_preview(d["denoised"]),
                )
            )

        return on_step
