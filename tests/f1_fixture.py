"""Shared helpers for the F1 tests: where the reference fixture lives, tiny conditioning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "reference_f1"


def reference_dir() -> Path:
    """The reference fixture folder; skip when absent, but fail in CI (CI=true) where it must exist."""
    if not (REFERENCE_DIR / "expected.safetensors").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"reference fixture missing at {REFERENCE_DIR} (required when CI=true)")
        pytest.skip(f"reference fixture not found at {REFERENCE_DIR}")
    return REFERENCE_DIR
