"""A list beside its form where the page is wide enough, the form under the list where not.

The editing views (Models, Requests, Reports, Checklists) put a list left of
a form. On a 1024x768 laptop there is no room for both side by side at their
minimum widths: squeezed, the form's fields were cut to 80 px. Here the
splitter puts the form under the list whenever its width is less than the
sum of its parts' minimum widths, and beside it again when the window grows.
The form then scrolls (``panels.scrolling``) instead of being squeezed.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget


def minimum_width(widget: QWidget) -> int:
    return max(widget.minimumWidth(), widget.minimumSizeHint().width())


class AdaptiveSplitter(QSplitter):
    """Side by side when every part fits at its minimum width, else stacked top to bottom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        #: sizes to give the parts when side by side, and when stacked (set_sizes)
        self._wide: list[int] = []
        self._stacked: list[int] = []

    def set_sizes(self, side_by_side: Sequence[int], stacked: Sequence[int] = ()) -> None:
        """The parts' starting sizes in each arrangement (proportions where space differs)."""
        self._wide = list(side_by_side)
        self._stacked = list(stacked)
        if side_by_side and self.orientation() == Qt.Orientation.Horizontal:
            self.setSizes(self._wide)

    def needed_width(self) -> int:
        """The width below which the parts no longer fit side by side."""
        parts = [self.widget(i) for i in range(self.count())]
        widths = [minimum_width(w) for w in parts if w is not None and not w.isHidden()]
        return sum(widths) + self.handleWidth() * max(len(widths) - 1, 0)

    def stacked(self) -> bool:
        return self.orientation() == Qt.Orientation.Vertical

    def minimumSizeHint(self) -> QSize:
        # Stacked is always possible: never ask the window for the side-by-side width.
        hint = super().minimumSizeHint()
        parts = [self.widget(i) for i in range(self.count())]
        widest = max((minimum_width(w) for w in parts if w is not None), default=0)
        return QSize(widest, hint.height()) if not self.stacked() else hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.arrange(event.size().width())
        super().resizeEvent(event)

    def arrange(self, width: int) -> None:
        """Put the parts side by side or stacked for a splitter ``width`` pixels wide."""
        wanted = (
            Qt.Orientation.Horizontal if width >= self.needed_width() else Qt.Orientation.Vertical
        )
        if wanted == self.orientation():
            return
        self.setOrientation(wanted)
        sizes = self._wide if wanted == Qt.Orientation.Horizontal else self._stacked
        if sizes:
            self.setSizes(sizes)
