"""Generator settings as real controls, built from the generator's params schema (``engine.schema``).

One control per ``Setting``: a spin box within its range, a check box, a choice list, a text field, or
a LoRA list (``path:weight, ...``).  The window names no generator and no setting: a new generator gets
its controls from its schema.  Only values that differ from a setting's default are written to the
recipe, so opening a clip never changes its identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from fp_timeline.engine.schema import Setting, parse_loras

INT_LIMIT = 2**31 - 1
FLOAT_LIMIT = 1e9


class SettingsForm(QWidget):
    """Controls for one schema; ``changed`` carries the params (unknown keys kept, defaults dropped)."""

    changed = Signal(dict)
    invalid = Signal(str)  # text a control cannot be read as (a LoRA weight that is not a number)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.schema: tuple[Setting, ...] = ()
        self.controls: dict[str, QWidget] = {}
        self._params: dict[str, Any] = {}
        self._loading = False

    # --- building ---------------------------------------------------------------------------
    def set_schema(self, schema: Sequence[Setting]) -> None:
        """Rebuild the controls when the generator (its schema) changes."""
        if tuple(schema) == self.schema:
            return
        while self.layout_.rowCount():
            self.layout_.removeRow(0)
        self.schema = tuple(schema)
        self.controls = {}
        for setting in self.schema:
            control = self._control(setting)
            control.setToolTip(f"{setting.help} ({setting.describe_range()}; default {setting.default!r})")
            control.setObjectName(f"setting_{setting.name}")
            self.controls[setting.name] = control
            self.layout_.addRow(setting.name.replace("_", " "), control)

    def _control(self, setting: Setting) -> QWidget:
        if setting.kind == "bool":
            box = QCheckBox()
            box.toggled.connect(self._emit)
            return box
        if setting.kind == "choice":
            combo = QComboBox()
            if setting.optional:
                combo.addItem("(default)", None)
            for choice in setting.choices:
                combo.addItem(choice, choice)
            combo.activated.connect(self._emit)
            return combo
        if setting.kind in ("int", "float") and not setting.optional:
            spin = QSpinBox() if setting.kind == "int" else QDoubleSpinBox()
            limit = INT_LIMIT if setting.kind == "int" else FLOAT_LIMIT
            low = setting.minimum if setting.minimum is not None else -limit
            high = setting.maximum if setting.maximum is not None else limit
            if setting.kind == "float":
                spin.setDecimals(3)
                spin.setSingleStep(0.05 if high - low <= 2 else 0.5)
                spin.setRange(float(low), float(high))
            else:
                spin.setRange(int(low), int(high))
            spin.setKeyboardTracking(False)
            spin.editingFinished.connect(self._emit)
            return spin
        line = QLineEdit()  # text, LoRA lists, and optional numbers (empty: the generator decides)
        if setting.kind == "lora_list":
            line.setPlaceholderText("file.safetensors:0.8, other.safetensors:1")
        elif setting.optional:
            line.setPlaceholderText("(default)")
        line.editingFinished.connect(self._emit)
        return line

    # --- values -----------------------------------------------------------------------------
    def set_params(self, params: dict[str, Any]) -> None:
        """Show a recipe's params (defaults where a setting is absent)."""
        self._loading = True
        self._params = dict(params)
        for setting in self.schema:
            control = self.controls[setting.name]
            if control.hasFocus():
                continue  # the user is typing there
            value = params.get(setting.name, setting.default)
            if isinstance(control, QCheckBox):
                control.setChecked(bool(value))
            elif isinstance(control, QComboBox):
                control.setCurrentIndex(max(0, control.findData(value)))
            elif isinstance(control, (QSpinBox, QDoubleSpinBox)):
                control.setValue(value if isinstance(value, (int, float)) else setting.default)
            else:
                control.setText(_as_text(setting, value))
        self._loading = False

    def values(self) -> dict[str, Any]:
        """The params the controls show: unknown keys kept, values equal to their default left out."""
        params = {k: v for k, v in self._params.items() if k not in self.controls}
        for setting in self.schema:
            value = self._read(setting)
            if value != setting.default:
                params[setting.name] = value
        return params

    def _read(self, setting: Setting) -> Any:
        control = self.controls[setting.name]
        if isinstance(control, QCheckBox):
            return control.isChecked()
        if isinstance(control, QComboBox):
            return control.currentData()
        if isinstance(control, (QSpinBox, QDoubleSpinBox)):
            return control.value()
        text = control.text()
        if setting.kind == "lora_list":
            return parse_loras(text) if text.strip() else []
        if setting.optional and not text.strip():
            return None
        return setting.parse(text) if setting.kind in ("int", "float") else text

    def _emit(self, *_args: object) -> None:
        if self._loading:
            return
        try:
            params = self.values()
        except ValueError as err:  # unreadable text: the inspector shows it as a problem
            self.invalid.emit(str(err))
            return
        if params != self._params:
            self._params = dict(params)
            self.changed.emit(params)


def _as_text(setting: Setting, value: Any) -> str:
    if setting.kind == "lora_list":
        items = value if isinstance(value, list) else []
        return ", ".join(
            f"{item.get('path', '')}:{item.get('weight', 1.0):g}" for item in items if hasattr(item, "get")
        )
    return "" if value is None else str(value)
