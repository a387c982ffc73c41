"""Open and draw a 2,000-clip project in the editor window; prints the time (target < 1 s).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/gui_open.py [--clips 2000]``.
The project is built in a temp folder: animatic clips, every tenth fresh from one of two start
images, the rest carrying from the clip before (so hashes chain across the whole track).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fp_timeline.project.document import new_project, save_project  # noqa: E402
from fp_timeline.project.edits import make_clip  # noqa: E402
from fp_timeline.project.recipe import ContextMode, Recipe  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects" / "three_shots"


def build_project(folder: Path, clips: int) -> Path:
    project = new_project(folder / "big.otio")
    for image in ("chelsea.png", "coffee.png"):
        shutil.copy(SAMPLES / image, folder / image)
    track = project.tracks()[0]
    for i in range(clips):
        fresh = i % 10 == 0
        recipe = Recipe(
            prompt=f"shot {i}: the camera drifts slowly",
            seed=i,
            frames=36 + i % 3,
            width=144,
            height=96,
            image=("chelsea.png", "coffee.png")[i // 10 % 2] if fresh else None,
            generator="animatic",
            context=ContextMode.FRESH if fresh else ContextMode.CARRY,
        )
        track.append(make_clip(f"shot_{(i + 1) * 10:05d}", recipe))
    save_project(project)
    return project.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=2000)
    parser.add_argument("--screenshot", type=Path, help="also save the window after opening, and zoomed in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_project(Path(tmp), args.clips)
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from fp_timeline.ui.app import application
        from fp_timeline.ui.main_window import MainWindow

        app = application()
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.IniFormat)
        cpu = time.process_time()
        started = time.perf_counter()
        window = MainWindow(settings=settings)
        window.show()
        built = time.perf_counter()
        assert window.open_project(path)
        opened = time.perf_counter()
        QApplication.processEvents()
        window.grab()  # a full paint of every widget, timeline included
        drawn = time.perf_counter()
        cpu_drawn = time.process_time()
        if args.screenshot:
            window.grab().save(str(args.screenshot))
        items = len(window.timeline.view.items)
        window.timeline.view.set_zoom(window.timeline.view.pps * 8)  # zoom in: thumbnails and text
        zoomed_image = window.grab()
        zoomed = time.perf_counter()
        if args.screenshot:
            zoomed_image.save(str(args.screenshot.with_name(f"{args.screenshot.stem}_zoomed.png")))
        print(f"{items} clips")
        print(f"window built   {built - started:6.3f} s")
        print(f"project opened {opened - built:6.3f} s  (load, states, layout, items)")
        print(f"first draw     {drawn - opened:6.3f} s")
        print(f"open + draw    {drawn - built:6.3f} s  (target < 1 s)")
        print(f"  cpu time     {cpu_drawn - cpu:6.3f} s  (window + open + draw; steadier on a busy machine)")
        print(f"zoom + redraw  {zoomed - drawn:6.3f} s")
        window.document.undo_stack.setClean()
        window.close()
        window.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main()
