"""The inspector's generator settings are real controls built from the generator's schema."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from fp_timeline.project.document import load_project
from tests.gui_helpers import make_window, sample_copy

pytestmark = pytest.mark.gui


def _params(path, clip="shot_010"):
    project = load_project(path)
    return project.recipe(project.clip(clip)).params


def test_animatic_settings_are_spin_boxes_within_the_schema_range(qtbot, tmp_path):
    path = sample_copy(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.document.select("shot_010")
    form = window.inspector.settings
    zoom = form.controls["zoom_per_second"]
    assert isinstance(zoom, QDoubleSpinBox) and (zoom.minimum(), zoom.maximum()) == (-1.0, 1.0)
    assert zoom.value() == pytest.approx(0.04)  # the default, shown though the recipe has none
    zoom.setValue(0.25)
    zoom.editingFinished.emit()
    assert window.document.project.recipe(window.document.project.clip("shot_010")).params == {"zoom_per_second": 0.25}
    zoom.setValue(5.0)  # beyond the range: the spin box clamps it
    assert zoom.value() == 1.0
    window.document.undo_stack.undo()
    assert window.document.project.recipe(window.document.project.clip("shot_010")).params == {}
    assert form.controls["zoom_per_second"].value() == pytest.approx(0.04)  # the form follows undo


def test_switching_generator_rebuilds_the_controls_from_its_schema(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path, generator="framepack_f1"))
    window.document.select("shot_010")
    controls = window.inspector.settings.controls
    assert isinstance(controls["steps"], QSpinBox) and controls["steps"].maximum() == 100
    assert isinstance(controls["sampler"], QComboBox) and controls["sampler"].currentData() == "unipc"
    assert isinstance(controls["teacache"], QCheckBox)
    assert isinstance(controls["loras"], QLineEdit) and isinstance(controls["shift"], QLineEdit)
    assert "zoom_per_second" not in controls
    controls["sampler"].setCurrentIndex(controls["sampler"].findData("euler"))
    controls["sampler"].activated.emit(controls["sampler"].currentIndex())
    controls["loras"].setText("style.safetensors:0.5")
    controls["loras"].editingFinished.emit()
    params = window.document.project.recipe(window.document.project.clip("shot_010")).params
    assert params == {"sampler": "euler", "loras": [{"path": "style.safetensors", "weight": 0.5}]}
    controls["loras"].setText("style.safetensors:lots")
    controls["loras"].editingFinished.emit()
    assert "lots" in window.inspector.problem.text()
