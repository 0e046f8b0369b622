"""The window's lazily built pages behave as a read-only mapping of view key to page."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from stewardship.ui.page_stack import LazyPages


def test_pages_list_their_keys_without_building_any(qtbot) -> None:
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    built: list[str] = []

    def build(key: str) -> QWidget:
        built.append(key)
        return QLabel(key)

    pages = LazyPages(stack, ["dashboard", "models", "settings"], build)

    assert list(pages.keys()) == ["dashboard", "models", "settings"]
    assert "models" in pages and "nowhere" not in pages
    assert len(pages) == 3 and built == []

    page = pages.show("models")
    assert isinstance(page, QLabel) and page.text() == "models"
    assert stack.currentWidget() is page and pages.current_key() == "models"
    assert pages["models"] is page and built == ["models"]  # built once
    assert list(pages.built()) == ["models"]
