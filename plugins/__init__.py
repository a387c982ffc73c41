"""Generators shipped with fp-timeline, installed as ``fp_timeline_plugins`` (found via entry points)."""
