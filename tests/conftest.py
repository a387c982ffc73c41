"""Test-wide settings: Qt draws offscreen (no display on CI), and torch stays on the 2 cores we have."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_NUM_THREADS", "2")
