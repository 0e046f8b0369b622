"""The right-hand side of the editing views: a form that scrolls, on a white panel."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

W = TypeVar("W", bound=QWidget)


def scrolling(content: QWidget, *, sideways: bool = True) -> QScrollArea:
    """``content`` in a frameless scroll area that resizes it; ``sideways=False``: no
    horizontal scroll bar (a form that must fit the panel's width)."""
    scroll = QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    if not sideways:
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return scroll


def panel(content: QWidget) -> QFrame:
    """``content`` on the style sheet's white, bordered ``#panel``, edge to edge."""
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(content)
    return frame


def form_panel(form: QWidget) -> QFrame:
    """``form`` on a :func:`panel`, scrolling up and down only, never narrower than the
    form wants (its minimum width and the scroll bar's)."""
    frame = panel(scrolling(form, sideways=False))
    frame.setMinimumWidth(form.minimumSizeHint().width() + 24)
    return frame


def form_page(form: W) -> W:
    """Give ``form`` the white form background (the style sheet's ``#formPage``)."""
    form.setObjectName("formPage")
    form.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    return form
