"""A completer that reads its choices when its field gains focus, not when a record loads.

The owner field of a checklist item completes from every owner in the store:
on 300,000 items that query takes ~120 ms, which made every click on an item
slow. Here it runs the first time the field is focused after
:meth:`LazyCompleter.invalidate`, and not at all if the field is never used.

The focus watch is a separate object: ``QCompleter.eventFilter`` is what hands
the keys typed while the suggestion popup is open back to the field (and closes
the popup on Esc), so the completer must not override it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QStringListModel
from PySide6.QtWidgets import QCompleter, QLineEdit


class _FocusWatch(QObject):
    """Calls ``on_focus`` when the watched widget gains focus; lets every event through."""

    def __init__(self, parent: QObject, on_focus: Callable[[], object]) -> None:
        super().__init__(parent)
        self._on_focus = on_focus
        self._focus_in = QEvent.Type.FocusIn

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self._focus_in:
            self._on_focus()
        return False


class LazyCompleter(QCompleter):
    def __init__(self, field: QLineEdit, choices: Callable[[], list[str]]) -> None:
        self._choices = choices
        self._list = QStringListModel()
        super().__init__(self._list, field)
        self._fresh = False
        field.setCompleter(self)
        self._watch = _FocusWatch(self, self.choices)
        field.installEventFilter(self._watch)

    def invalidate(self) -> None:
        """Read the choices again the next time the field is focused (now, if it is)."""
        self._fresh = False
        field = self.widget()
        if field is not None and field.hasFocus():
            self.choices()

    def choices(self) -> list[str]:
        """The choices, read now if they are not fresh."""
        if not self._fresh:
            self._list.setStringList(self._choices())
            self._fresh = True
        return self._list.stringList()
