"""benchmarks/drift.py's bookkeeping: fresh clips laid on one timeline, measurements and the table."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import drift  # noqa: E402


def test_fresh_clips_drop_their_repeated_start_frames():
    clip_frames, clips = 4, 3
    # Clip i renders its start frame (time i * 4) and 4 new frames: 5 frames, labelled by their time.
    rendered = [np.full((1, 1, 3), t, np.uint8) for i in range(clips) for t in range(i * 4, i * 4 + 5)]
    timeline = drift._drop_repeated_starts(rendered, clips, clip_frames)
    assert [int(f[0, 0, 0]) for f in timeline] == list(range(1 + clips * clip_frames))


def test_a_perfect_render_measures_no_drift_and_the_table_lists_every_strategy(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 256, (45, 16, 24, 3), dtype=np.uint8)
    worse = np.clip(truth + rng.normal(0, 5, truth.shape) * np.linspace(0, 4, 45)[:, None, None, None], 0, 255)
    perfect, drifting = drift.measure(list(truth), truth), drift.measure(list(worse.astype(np.uint8)), truth)
    assert perfect["psnr_per_second"] == [60.0, 60.0] and perfect["drift_psnr"] == 0.0
    assert drifting["drift_psnr"] > 5 and drifting["psnr_per_second"][0] > drifting["psnr_per_second"][1]
    summary = drift.summarise({"continuous": [perfect], "hand_cuts": [drifting]})
    drift.write_table(summary, tmp_path / "t.md", "python benchmarks/drift.py")
    text = (tmp_path / "t.md").read_text()
    assert "| continuous |" in text and "| hand_cuts |" in text and "drift_psnr" in text
