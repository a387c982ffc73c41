"""PyAV media I/O: the H.264 writer appears only when complete; the reader seeks by index."""

from __future__ import annotations

import numpy as np
import pytest

from fp_timeline.engine.media import FrameReader, VideoWriter, probe, read_frames


def _grey_clip(path, levels):
    writer = VideoWriter(path, rate=25.0)
    for level in levels:
        writer.write(np.full((32, 48, 3), level, dtype=np.uint8))
    return writer.close()


def test_writer_round_trip_rate_size_and_levels(tmp_path):
    levels = [10 * i + 20 for i in range(12)]
    info = probe(_grey_clip(tmp_path / "grey.mp4", levels))
    assert (info.frames, info.rate, info.width, info.height) == (12, 25.0, 48, 32)
    decoded = [float(f.mean()) for f in read_frames(tmp_path / "grey.mp4")]
    assert decoded == pytest.approx(levels, abs=2)
    assert len(read_frames(tmp_path / "grey.mp4", last=3)) == 3


def test_aborted_writer_leaves_no_file(tmp_path):
    writer = VideoWriter(tmp_path / "never.mp4", rate=25.0)
    writer.write(np.zeros((16, 16, 3), dtype=np.uint8))
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_writer_refuses_frames_of_another_size(tmp_path):
    writer = VideoWriter(tmp_path / "x.mp4", rate=25.0)
    writer.write(np.zeros((16, 16, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="frame size changed"):
        writer.write(np.zeros((16, 32, 3), dtype=np.uint8))
    writer.abort()


def test_frame_reader_forward_backward_and_held_ends(tmp_path):
    levels = [10 * i + 20 for i in range(12)]
    reader = FrameReader(_grey_clip(tmp_path / "grey.mp4", levels))
    for index in (0, 5, 6, 2, 11, 40, -3):  # forward, back (reopens), past both ends (held)
        expected = levels[min(max(index, 0), 11)]
        assert float(reader.frame(index).mean()) == pytest.approx(expected, abs=2)
    reader.close()


def test_frame_reader_without_counting_finds_the_end_as_it_reads(tmp_path):
    """An mkv does not say its length: ``count=False`` does not decode it all up front (the viewer's
    first frame of a long imported file), yet holds the last frame past the end once it gets there."""
    import av

    levels = [40 * i + 20 for i in range(5)]
    path = tmp_path / "grey.mkv"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "yuv420p"
        for level in levels:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(np.full((16, 16, 3), level, np.uint8), "rgb24")))
        container.mux(stream.encode())
    assert FrameReader(path).frames == 5  # counted by decoding
    reader = FrameReader(path, count=False)
    assert reader.frames is None
    assert float(reader.frame(1).mean()) == pytest.approx(levels[1], abs=2) and reader.frames is None
    assert float(reader.frame(9).mean()) == pytest.approx(levels[-1], abs=2) and reader.frames == 5
    assert float(reader.frame(0).mean()) == pytest.approx(levels[0], abs=2)
    reader.close()


@pytest.mark.parametrize(
    ("rate", "exact"), [(29.97, "30000/1001"), (23.976, "24000/1001"), (24.0, "24"), (12.5, "25/2")]
)
def test_a_written_video_has_the_rate_the_exports_and_timecode_use(tmp_path, rate, exact):
    """One reading of a rate (project.timing): a 29.97 project's movie is 30000/1001 fps, as its EDL,
    XML and timecode count (engine.media read it as 2997/100)."""
    import av

    with VideoWriter(tmp_path / "r.mp4", rate=rate) as writer:
        for _ in range(3):
            writer.write(np.zeros((16, 16, 3), dtype=np.uint8))
    with av.open(str(tmp_path / "r.mp4")) as container:
        assert str(container.streams.video[0].average_rate) == exact


def _dirty_the_heap(rng: np.random.Generator) -> None:
    """Leave freed heap blocks full of random bytes, so memory the encoder mallocs next is not zeros."""
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        pytest.skip("needs glibc to dirty the heap")
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    blocks = []
    for size in [64, 256, 1024, 4096, 16384, 65536, 200_000] * 4:
        block = libc.malloc(size)
        libc.memset(block, int(rng.integers(256)), size)
        blocks.append(block)
    for index in rng.permutation(len(blocks)):
        libc.free(blocks[index])


def test_the_same_frames_give_the_same_bytes_whatever_the_heap_held(tmp_path):
    """x264's AVX-512 macroblock-tree code reads past each row when the width is not a multiple of 128 px:
    on an AVX-512 CPU the bytes followed whatever the heap held (8 files from 8 encodes before the writer
    turned AVX-512 off).  Textured, moving frames 64 px wide (4 macroblocks) show it at once."""
    rng = np.random.default_rng(0)
    blocks = np.kron(rng.integers(0, 256, (10, 10, 3)), np.ones((8, 8, 1)))
    frames = []
    for t in range(16):  # blocks drifting, brightness pulsing, grain: x264 has work to do in every frame
        frame = np.roll(blocks, (t, 2 * t), (0, 1))[:64, :64] * 0.8 + 40 * np.sin(t / 3)
        frames.append(np.clip(frame + rng.normal(0, 6, frame.shape), 0, 255).astype(np.uint8))
    outcomes = set()
    for attempt in range(8):
        writer = VideoWriter(tmp_path / f"take_{attempt}.mp4", rate=30.0)
        for frame in frames:
            _dirty_the_heap(rng)
            writer.write(frame)
        outcomes.add(writer.close().read_bytes())
    assert len(outcomes) == 1, f"{len(outcomes)} different files from the same frames"


def test_the_writer_asks_x264_for_its_cpu_and_leaves_out_avx512_only(monkeypatch, tmp_path):
    import sys

    from fp_timeline.engine import media, x264_cpu

    maps = tmp_path / "maps"
    maps.write_text(
        "7f00-7f01 r-xp 00000000 08:01 42 /opt/venv/lib/python3.11/site-packages/av.libs/libx264-d6533a8d.so.165\n"
        "7f02-7f03 r-xp 00000000 08:01 43 /usr/lib/libx265.so.216\n"
    )
    assert x264_cpu.loaded_library("libx264", maps).endswith("av.libs/libx264-d6533a8d.so.165")
    assert x264_cpu.loaded_library("libx26", maps) is None
    if sys.platform == "linux":  # the lookup works with the PyAV we run on
        assert x264_cpu.x264_cpu_flags()
    monkeypatch.setattr(x264_cpu, "x264_cpu_flags", lambda: 0b1_0000_0000_0000_0011)  # MMX, MMX2, AVX-512
    assert media.encoder_options(18) == {"threads": "1", "crf": "18", "x264-params": "asm=3"}
    monkeypatch.setattr(x264_cpu, "x264_cpu_flags", lambda: 0b11)  # nothing to leave out: x264 chooses
    assert media.encoder_options(20) == {"threads": "1", "crf": "20"}
