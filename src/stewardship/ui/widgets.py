"""Small widgets the views share: page headers, summary cards, a progress delegate."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .style import ACCENT, OK
from .table_model import VALUE_ROLE


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageTitle")
    return label


def page_subtitle(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageSubtitle")
    label.setWordWrap(True)
    return label


def error_label() -> QLabel:
    """The red line under a form field that says why it is invalid (hidden until then)."""
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


def row_table(
    model: QAbstractItemModel, *, row_height: int | None = 28, accessible_name: str = ""
) -> QTableView:
    """A read-only table of rows: whole-row single selection, no row numbers, no wrapping.

    ``row_height=None`` keeps the style's row height."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move in rows
    table.verticalHeader().setVisible(False)
    if row_height is not None:
        table.verticalHeader().setDefaultSectionSize(row_height)
    if accessible_name:
        table.setAccessibleName(accessible_name)
    return table


class _DownIntoTable(QObject):
    """Down in a filter box moves into its table, on the current row (else the first)."""

    def __init__(self, field: QLineEdit, table: QAbstractItemView) -> None:
        super().__init__(field)
        self._table = table
        self._key_press = QEvent.Type.KeyPress

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == self._key_press
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            table = self._table
            model = table.model()
            if model is None or model.rowCount() == 0:
                return False
            table.setFocus(Qt.FocusReason.TabFocusReason)
            if not table.currentIndex().isValid():
                table.setCurrentIndex(model.index(0, 0))
            return True
        return False


def lead_into(field: QLineEdit, table: QAbstractItemView) -> None:
    """Make Down in ``field`` (a search or filter box) move the keyboard into ``table``."""
    field.installEventFilter(_DownIntoTable(field, table))


def confirm_discard(parent: QWidget, what: str) -> bool:
    """Ask whether to throw away the unsaved changes to ``what``; True means discard."""
    from PySide6.QtWidgets import QMessageBox  # dialogs load when first used, not at start-up

    answer = QMessageBox.question(
        parent,
        "Unsaved changes",
        f"Discard the unsaved changes to {what}?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    if not widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        return  # not styled yet: it picks the property up when first shown
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


class ElidedLabel(QLabel):
    """One line of plain text that, given less room than it needs, is shortened in the middle
    ("…") instead of widening the window; the whole text is its tooltip.

    For text of any length, such as the data folder's path in the status bar. With room
    enough it paints exactly as a QLabel does.
    """

    #: the narrowest it asks to be, in characters
    MIN_CHARS = 12

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        narrowest = self.fontMetrics().averageCharWidth() * self.MIN_CHARS
        return QSize(min(hint.width(), narrowest), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        room = self.contentsRect()
        metrics = self.fontMetrics()
        if metrics.horizontalAdvance(self.text()) <= room.width():
            super().paintEvent(event)
            return
        shown = metrics.elidedText(self.text(), Qt.TextElideMode.ElideMiddle, room.width())
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            room,
            int(self.alignment().value),
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )


class Card(QFrame):
    """A summary number with a caption; turns red when it needs attention."""

    def __init__(self, caption: str, tooltip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setToolTip(tooltip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(2)
        self.value_label = QLabel("–")
        self.value_label.setObjectName("cardValue")
        self.caption_label = QLabel(caption)
        self.caption_label.setObjectName("cardCaption")
        self.caption_label.setWordWrap(True)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)
        self.setAccessibleName(caption)
        self.setProperty("alert", "false")

    def set_value(self, value: int, *, alert: bool = False) -> None:
        self.value_label.setText(str(value))
        self.setAccessibleDescription(f"{value}")
        wanted = "true" if alert else "false"
        if self.property("alert") != wanted:  # re-styling is costly: only when it changes
            self.setProperty("alert", wanted)
            repolish(self)
            for child in self.findChildren(QLabel):
                repolish(child)

    @property
    def value(self) -> str:
        return self.value_label.text()


class ProgressDelegate(QStyledItemDelegate):
    """Paints ``VALUE_ROLE`` (a fraction 0..1, or None) as a slim bar with the cell's text beside it.

    The text never sits on the coloured fill, so it stays readable at any value.
    """

    BAR_WIDTH = 56
    BAR_HEIGHT = 8

    def _selected(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        # Asked of the view rather than of ``option.state``: reading that builds PySide6's
        # QStyle class and its enums, ~5 ms before the first paint.
        view = self.parent()
        if isinstance(view, QAbstractItemView) and view.selectionModel() is not None:
            return view.selectionModel().isSelected(index)
        return False

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        fraction = index.data(VALUE_ROLE)
        if fraction is None:
            super().paint(painter, option, index)
            return
        fraction = max(0.0, min(1.0, float(fraction)))
        painter.save()
        if self._selected(index):
            painter.fillRect(option.rect, option.palette.highlight())
        else:
            background = index.data(Qt.ItemDataRole.BackgroundRole)
            if background is not None:
                painter.fillRect(option.rect, background)
        rect = option.rect.adjusted(6, 0, -4, 0)
        track = QRect(
            rect.left(),
            rect.center().y() - self.BAR_HEIGHT // 2 + 1,
            self.BAR_WIDTH,
            self.BAR_HEIGHT,
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#dfe4ea"))
        painter.drawRoundedRect(track, 4, 4)
        if fraction > 0:
            fill = QRect(track)
            fill.setWidth(max(self.BAR_HEIGHT, round(track.width() * fraction)))
            painter.setBrush(QColor(OK if fraction >= 1.0 else ACCENT))
            painter.drawRoundedRect(fill, 4, 4)
        text_rect = rect.adjusted(self.BAR_WIDTH + 8, 0, 0, 0)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        painter.setPen(
            foreground.color()
            if hasattr(foreground, "color")
            else foreground
            if isinstance(foreground, QColor)
            else option.palette.text().color()
        )
        font = index.data(Qt.ItemDataRole.FontRole)
        if font is not None:
            painter.setFont(font)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        elided = option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), elided
        )
        painter.restore()
