"""Shared set-up for the GUI tests: offscreen Qt, sample projects copied to a temp folder and
switched to the fast ``animatic`` generator, a window with throw-away settings, screenshots."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

from fp_timeline.project.document import load_project, new_project, save_project  # noqa: E402
from fp_timeline.project.edits import add_clip  # noqa: E402
from fp_timeline.project.recipe import Recipe  # noqa: E402
from tests.sample_copies import pristine_sample  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_projects"
OUTPUT = REPO / "tests" / "output"


def sample_copy(tmp_path: Path, name: str = "three_shots", generator: str = "animatic") -> Path:
    """A copy of a sample project whose clips all use ``generator``; returns the .otio path."""
    folder = pristine_sample(name, tmp_path / name)
    path = folder / f"{name}.otio"
    project = load_project(path)
    for clip in list(project.generated_clips()):
        project.set_recipe(clip, project.recipe(clip).replace(generator=generator))
    save_project(project)
    return path


def fresh_clips_project(tmp_path: Path, count: int = 3, frames: int = 30, rate: float = 30.0) -> Path:
    """``count`` fresh animatic clips, each from its own start image (any order is valid)."""
    project = new_project(tmp_path / "fresh" / "fresh.otio", rate=rate)
    images = sorted((SAMPLES / "three_shots").glob("*.png")) + sorted((SAMPLES / "one_shot").glob("*.png"))
    for i in range(count):
        image = project.folder / f"image_{i}.png"
        image.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(images[i % len(images)], image)
        add_clip(
            project,
            Recipe(f"motion {i}", i, frames, width=64, height=48, fps=rate, image=image.name, generator="animatic"),
        )
    save_project(project)
    return project.path


def make_window(qtbot, tmp_path: Path, project: Path | None = None):
    """A shown main window with settings in ``tmp_path`` and the dark theme, optionally with a project."""
    from PySide6.QtCore import QSettings

    from fp_timeline.ui.app import application
    from fp_timeline.ui.main_window import MainWindow

    application()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, autosave_interval_s=3600)
    window.ask = auto_answer  # no modal dialogs in tests: they would wait for a click forever
    window.warn = lambda title, text: None
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    if project is not None:
        assert window.open_project(project)
    return window


def auto_answer(title, text, buttons=None, default=None):
    """Discard unsaved changes, say yes to everything else."""
    from PySide6.QtWidgets import QMessageBox

    if buttons is not None and buttons & QMessageBox.Discard:
        return QMessageBox.Discard
    return QMessageBox.Yes


def screenshot(window, name: str) -> Path:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    assert window.grab().save(str(path))
    return path


def clip_point(window, clip: str, where: float = 0.5):
    """Viewport point inside a clip block, ``where`` 0..1 across it."""
    from PySide6.QtCore import QPointF

    view = window.timeline.view
    item = view.items[clip]
    return view.mapFromScene(item.mapToScene(QPointF(item.width * where, item.body_rect().height() / 2)))


def drag(qtbot, window, start, end, modifier=None) -> None:
    """Press at ``start``, move in steps, release at ``end`` (viewport points) on the timeline."""
    from PySide6.QtCore import Qt

    viewport = window.timeline.view.viewport()
    modifier = modifier if modifier is not None else Qt.NoModifier
    qtbot.mousePress(viewport, Qt.LeftButton, modifier, pos=start)
    steps = 6
    for i in range(1, steps + 1):
        qtbot.mouseMove(viewport, start + (end - start) * i / steps)
    qtbot.mouseRelease(viewport, Qt.LeftButton, modifier, pos=end)


def image_file(name: str = "chelsea.png") -> Path:
    return SAMPLES / "three_shots" / name
