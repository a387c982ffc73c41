"""fp-timeline's OpenTimelineIO plugin package (import name ``fp_timeline_otio``): export to NLEs and back.

Registered through the ``opentimelineio.plugins`` entry point; ``plugin_manifest.json`` declares
- adapter ``fp_edl`` (``edl_adapter.py``): CMX 3600 through the maintained ``cmx_3600`` adapter,
  with unique reel names, the start timecode, and the media of the clip after a dissolve repaired;
- media linker ``fp_timeline_recipes`` (``recipe_linker.py``): clips read from an NLE file point
  back at the project's takes;
- hook script ``fp_timeline_fcp_comments`` on ``pre_adapter_write`` (``fcp_comments_hook.py``):
  prompt, seed and recipe id as FCP 7 XML clip comments, and a filled sequence ``<format>``.

Export (``export.py``) = ``flatten.flatten_for_export`` (one ``ExternalReference`` per clip, the
active take; ranges always set; exact NTSC rates; start timecode; transition handles) + one
adapter from ``formats.FORMATS``:

======================  ============  =========================================================
``--to``                file          keeps / loses
======================  ============  =========================================================
``resolve``             ``.otio``     everything incl. recipes; plain paths; Clip.1 (OTIO 0.14)
``premiere``            ``.otio``     everything incl. recipes; ``file://`` URLs; Clip.1
``premiere-xml``        ``.xml``      cut, gaps, dissolves, rates, start TC; recipes only as
                                      clip comments (prompt, seed, recipe id tag)
``edl``                 ``.edl``      one video track; cut, inner gaps, dissolves (re-expressed from
                                      the cut), start TC (a leading gap reads back as a later
                                      start), reels; no recipes; the rate is not stored
``otio``                ``.otio``     everything, current schema (OTIO 0.18)
``--bundle``            ``.otioz``    the ``.otio`` cut plus its media files
======================  ============  =========================================================

FCPXML is not offered (``formats.NOT_OFFERED`` says why).  Import back (``relink.py``): read the
NLE's edit (``export.read_timeline``) and ``relink_timeline`` it against the project: the edit's
order, trims and deletions with our recipes and takes (``fp-timeline import``).
"""
