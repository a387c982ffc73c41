"""Subcommand modules; every module here is imported by ``fp_timeline.cli`` and registers itself."""
