"""fp-timeline's OpenTimelineIO plugin package: adapters, media linker and hooks (see plugin_manifest.json)."""
