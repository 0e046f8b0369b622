"""The window's pages, built on first show and refreshed only when seen.

Building every view and loading its rows at start-up made the console slow
to open on a large store (the requests view alone read 50,000 rows before
the dashboard appeared). Here a page is built the first time it is shown
(or asked for), loads its data then, and a refresh of the window reloads the
visible page at once and the others when they are next shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QStackedWidget, QWidget


class LazyPages(Mapping[str, QWidget]):
    """Pages by view key. Looking one up builds it (and loads its data) if needed."""

    def __init__(
        self,
        stack: QStackedWidget,
        keys: list[str],
        build: Callable[[str], QWidget],
        on_built: Callable[[str, QWidget], None] | None = None,
    ) -> None:
        self.stack = stack
        self._keys = list(keys)
        self._build = build
        self._on_built = on_built
        self._built: dict[str, QWidget] = {}
        self._stale: set[str] = set()
        for _ in self._keys:
            self.stack.addWidget(QWidget())  # stands in until the page is built

    # -- Mapping ---------------------------------------------------------
    def __getitem__(self, key: str) -> QWidget:
        page = self._built.get(key)
        if page is None:
            if key not in self._keys:
                raise KeyError(key)
            page = self._make(key)
        return page

    def __contains__(self, key: object) -> bool:
        return key in self._keys  # asking must not build the page

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def built(self) -> dict[str, QWidget]:
        """The pages built so far (the others have nothing to refresh)."""
        return dict(self._built)

    # -- showing and refreshing ------------------------------------------
    def show(self, key: str) -> QWidget:
        page = self[key]
        if key in self._stale:
            self._stale.discard(key)
            _refresh(page)
        self.stack.setCurrentWidget(page)
        return page

    def current_key(self) -> str:
        return self._keys[self.stack.currentIndex()]

    def refresh(self) -> None:
        """Reload the visible page now and every other built page when next shown."""
        current = self.current_key()
        for key, page in self._built.items():
            if key == current:
                self._stale.discard(key)
                _refresh(page)
            else:
                self._stale.add(key)

    def mark_stale(self, *keys: str) -> None:
        """These pages reload when next shown (the visible one is left as it is)."""
        current = self.current_key()
        self._stale.update(k for k in keys if k in self._built and k != current)

    def _make(self, key: str) -> QWidget:
        row = self._keys.index(key)
        page = self._build(key)
        # Loaded before it joins the window: it is styled once, when shown, with its data,
        # instead of re-styling each widget whose look depends on the data (see repolish).
        _refresh(page)
        holder = self.stack.widget(row)
        was_current = self.stack.currentIndex() == row
        self.stack.insertWidget(row, page)
        if holder is not None:
            self.stack.removeWidget(holder)
            holder.deleteLater()
        if was_current:
            self.stack.setCurrentIndex(row)
        self._built[key] = page
        if self._on_built is not None:
            self._on_built(key, page)
        return page


def _refresh(page: QWidget) -> None:
    refresh = getattr(page, "refresh", None)
    if refresh is not None:
        refresh()
