"""Engine: generator protocol and registry, render planning, takes and contexts, media I/O.

No Qt and no torch here (layer 2); generators are reached only through ``generator.Generator``.

One idea per module:
``generator``  the protocol (RenderJob, FrameSink, ContextBlob, Progress, CancelToken)
``registry``   generators by entry point            ``status``     unrendered / stale / rendered
``planner``    plan_render: what to render, in which order, from which context
``renderer``   render_job (no project mutation) / apply_take / render_project (render, add, save)
``store``      where takes, contexts and resumable work live on disk
``executor``   Executor.run (the frame both executors share) / Run (its bookkeeping and events)
``media``      H.264 VideoWriter (a FrameSink), FrameReader (the one indexed decoder), read_frames, probe
``composition`` what each frame of the movie shows (stacking, dissolves, media frame): conform and viewer
``conform``    conform_timeline: the whole timeline to one mp4
``extend``     add_extension: a carried clip right after a shot
``imported``   continue a video not made here (its last frames encoded into a context)
"""
