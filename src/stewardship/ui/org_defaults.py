"""A read-only panel: the organisation file and the settings in force, with their source.

Shown in the About dialog and on the Settings page, so a steward (or IT) can
see which registry and notice policy the console uses and where each came from.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from ..app import AppContext
from ..services.org_config import EffectiveSettings, Setting
from .style import DANGER, MUTED


def _with_source(value: object, setting: Setting) -> str:
    return f"{escape(str(value))} <span style='color:{MUTED}'>({escape(setting.source)})</span>"


def _set_or(setting: Setting, unset: str) -> str:
    """The setting's value and source, or (muted) what applies when it is not set."""
    if setting.value:
        return _with_source(setting.value, setting)
    return f"<span style='color:{MUTED}'>{unset}</span>"


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class OrgDefaultsPanel(QFrame):
    """The organisation file's path and the registry and notice policy in force."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.setAccessibleName("Organisation defaults")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        heading = QLabel("<b>Organisation defaults</b>")
        outer.addWidget(heading)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        outer.addLayout(form)
        settings = ctx.settings
        assert settings is not None, "AppContext.open fills the settings"

        org = settings.org
        state = "in use" if org.found else "not present on this machine"
        self.file_label = _label(
            f"{escape(str(org.path))} <span style='color:{MUTED}'>({state})</span>", "orgFile"
        )
        form.addRow("Organisation file:", self.file_label)

        self.registry_label = _label(
            _set_or(settings.registry_url, "none set: the console works offline"), "registryUrl"
        )
        form.addRow("Registry:", self.registry_label)
        self.ca_label = _label(_set_or(settings.ca_bundle, "system certificates"), "caBundle")
        form.addRow("CA bundle:", self.ca_label)

        self.notice_label = _label(_notice_text(settings), "noticePolicy")
        form.addRow("Minimum notice:", self.notice_label)
        every = settings.verify_every_days
        self.verify_label = _label(
            _with_source(f"every {every.value} days", every), "verifyWeights"
        )
        form.addRow("Verify weights:", self.verify_label)

        self.problems_label = _label("", "orgProblems")
        self.problems_label.setStyleSheet(f"color:{DANGER};")
        if settings.warnings:
            items = "".join(f"<li>{escape(str(w))}</li>" for w in settings.warnings)
            self.problems_label.setText(f"<b>Problems (defaults used instead):</b><ul>{items}</ul>")
        else:
            self.problems_label.hide()
        outer.addWidget(self.problems_label)


def _notice_text(settings: EffectiveSettings) -> str:
    days = settings.notice_default_days
    parts = [_with_source(f"{days.value} days", days)]
    for provider, setting in sorted(settings.notice_per_provider.items()):
        parts.append(f"{escape(provider)}: " + _with_source(f"{setting.value} days", setting))
    return "<br>".join(parts)
