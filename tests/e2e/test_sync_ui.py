"""The window's side of sync: status indicator, settings and token, conflicts view."""

import logging

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QLabel

from stewardship.app import AppContext
from stewardship.domain.records import Model
from stewardship.services.sync_service import RegistrySettings, save_registry
from stewardship.store.sync_state import SyncState
from stewardship.sync.credentials import SERVICE
from stewardship.ui.conflicts_view import ConflictsView
from stewardship.ui.settings_view import SettingsView
from stewardship.ui.sync_controller import SyncController
from stewardship.ui.sync_status import SyncStatusWidget

from .servers import FaultProxy


@pytest.fixture
def file_keyring(monkeypatch):
    monkeypatch.setenv("STEWARDSHIP_ALLOW_PLAINTEXT_KEYRING", "1")
    monkeypatch.delenv("STEWARDSHIP_TOKEN", raising=False)
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def conflicting_notes(
    console_factory,
    *,
    ana_name: str = "ana",
    ben_name: str = "ben",
    theirs: str = "from ana",
    mine: str = "from ben",
    display_name: str = "K",
):
    """Ana and Ben change one model's notes; Ana syncs first, so Ben's sync meets a conflict.

    Returns Ana's and Ben's consoles, the model and Ana's edit of it.
    """
    ana, ben = console_factory("ana"), console_factory("ben")
    m = ana.store.save(Model(slug="k", display_name=display_name, provider="P"), ana_name)
    ana.sync()
    ben.sync()
    edited = ana.store.save(ana.store.get(Model, m.id).replace(notes=theirs), ana_name)
    ben.store.save(ben.store.get(Model, m.id).replace(notes=mine), ben_name)
    ana.sync()
    assert ben.sync().conflicts == 1
    return ana, ben, m, edited


@pytest.fixture
def app_ctx(tmp_path, today):
    ctx = AppContext.open(tmp_path / "laptop", today=lambda: today)
    yield ctx
    ctx.close()


def test_status_indicator_through_a_sync(qtbot, app_ctx, registry, file_keyring):
    controller = SyncController(app_ctx)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    assert widget.label.text() == "Offline: no registry set up"
    assert not widget.sync_button.isEnabled()

    save_registry(app_ctx.store, RegistrySettings(registry.url))
    keyring.set_password(SERVICE, registry.url, registry.token("ana"))
    app_ctx.store.save(Model(slug="a", display_name="A", provider="P"), "ana")
    app_ctx.store.save(Model(slug="b", display_name="B", provider="P"), "ana")
    controller.refresh_status()
    assert widget.label.text() == "Never synced · 2 changes waiting"

    with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
        assert controller.sync_now()
        assert widget.label.text().startswith("Syncing…")
        assert widget.bar.isVisibleTo(widget)
    assert done.args[0].pushed == 2
    assert widget.label.text() == "Synced just now"
    assert not widget.bar.isVisibleTo(widget)


def test_window_stays_responsive_while_the_registry_stalls(qtbot, app_ctx, registry, file_keyring):
    proxy = FaultProxy(registry.port, stall_seconds=1.5).start()
    try:
        save_registry(app_ctx.store, RegistrySettings(proxy.url))
        # a short client timeout so the test does not wait for the default 30 s
        controller = SyncController(
            app_ctx, client_options={"read_timeout": 0.5, "retries": 1, "backoff": 0.05}
        )
        controller.session_token = registry.token("ana")
        widget = SyncStatusWidget(controller)
        qtbot.addWidget(widget)
        app_ctx.store.save(Model(slug="a", display_name="A", provider="P"), "ana")
        proxy.inject("stall", "/v1/", times=20)
        ticks = []
        timer = QTimer()
        timer.setInterval(50)
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start()
        with qtbot.waitSignal(controller.finished, timeout=30_000) as done:
            controller.sync_now()
        timer.stop()
        assert len(ticks) >= 10, "the GUI thread kept running while the sync waited"
        assert "did not answer in time" in str(done.args[0])
        assert widget.label.text() == "Offline: registry unreachable · 1 change waiting"
        assert "did not answer in time" in widget.label.toolTip()
        assert SyncState(app_ctx.store).waiting_count() == 1
    finally:
        proxy.stop()


def test_settings_store_the_token_in_the_keyring_only(
    qtbot, app_ctx, registry, file_keyring, caplog
):
    caplog.set_level(logging.DEBUG)
    controller = SyncController(app_ctx)
    view = SettingsView(app_ctx, controller)
    qtbot.addWidget(view)
    view.refresh()
    token = registry.token("ana")
    view.url_edit.setText("ftp://nope")
    view.save()
    assert "not an http(s) URL" in view.error_label.text()
    assert view.url_edit.property("invalid") == "true"

    view.url_edit.setText(registry.url)
    qtbot.keyClicks(view.token_edit, token)
    view.store_token_button.click()
    assert keyring.get_password(SERVICE, registry.url) == token
    assert view.token_edit.text() == "", "the field does not keep the token"
    assert "is stored" in view.token_state.text()

    with qtbot.waitSignal(view.test_button.clicked, timeout=1000):
        view.test_button.click()
    qtbot.waitUntil(lambda: view.test_button.isEnabled(), timeout=10_000)
    assert "token is accepted" in view.test_result.text()

    QSettings().sync()
    app_ctx.store.conn.execute("PRAGMA wal_checkpoint(FULL)")
    data = b"".join(p.read_bytes() for p in app_ctx.data_dir.glob("stewardship.db*"))
    assert token.encode() not in data
    settings_file = QSettings().fileName()
    import pathlib

    if pathlib.Path(settings_file).exists():
        assert token not in pathlib.Path(settings_file).read_text(errors="replace")
    assert token not in caplog.text

    view.forget_button.click()
    assert keyring.get_password(SERVICE, registry.url) is None


def test_no_keyring_keeps_the_token_for_the_session_only(qtbot, app_ctx, registry, monkeypatch):
    from keyring.backends.fail import Keyring as FailKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        controller = SyncController(app_ctx)
        view = SettingsView(app_ctx, controller)
        qtbot.addWidget(view)
        view.refresh()
        assert "no keyring available" in view.keyring_label.text().lower()
        view.url_edit.setText(registry.url)
        view.token_edit.setText("session-secret")
        view.store_token_button.click()
        assert controller.session_token == "session-secret"
        assert "this session only" in view.token_state.text()
    finally:
        keyring.set_keyring(previous)


def test_conflicts_view_resolves_a_conflict(qtbot, registry, console_factory, tmp_path, today):
    ana, ben, m, _ = conflicting_notes(console_factory)

    ctx = AppContext(data_dir=ben.data_dir, store=ben.store, who="ben", today=lambda: today)
    view = ConflictsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    assert view.list.count() == 1 and not view.empty.isVisibleTo(view)
    [choice] = view.choices
    assert (choice.conflict.mine, choice.conflict.theirs) == ("from ben", "from ana")
    choice.choice.setCurrentIndex(choice.choice.findData("theirs"))
    assert choice.edit.text() == "from ana"
    with qtbot.waitSignal(view.resolved):
        assert view.resolve_current()
    assert view.list.count() == 0 and view.empty.isVisibleTo(view)
    ben.sync()
    ana.sync()
    assert ben.store.get(Model, m.id).notes == ana.store.get(Model, m.id).notes == "from ana"


def test_conflicts_view_says_who_made_theirs_and_when(qtbot, registry, console_factory, today):
    _, ben, _, edited = conflicting_notes(console_factory, ana_name="Ana Steward", ben_name="Ben")

    ctx = AppContext(data_dir=ben.data_dir, store=ben.store, who="Ben", today=lambda: today)
    view = ConflictsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    origin = view.detail.findChild(QLabel, "theirOrigin")
    assert origin is not None
    when = edited.modified_at.replace("T", " ")[:16]
    assert origin.text() == f"Theirs: changed by Ana Steward on {when} UTC."


def test_a_refused_token_asks_for_a_new_one_and_loses_nothing(
    qtbot, app_ctx, registry, file_keyring
):
    save_registry(app_ctx.store, RegistrySettings(registry.url))
    controller = SyncController(app_ctx)
    controller.session_token = "revoked-or-wrong"
    app_ctx.store.save(Model(slug="a", display_name="A", provider="P"), "ana")
    asked = []
    controller.token_needed.connect(asked.append)
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        controller.sync_now()
    assert asked and "refused your token" in asked[0]
    assert controller.session_token is None
    assert SyncState(app_ctx.store).waiting_count() == 1
    controller.session_token = registry.token("ana")
    with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
        controller.sync_now()
    assert done.args[0].pushed == 1


def test_history_tab_merges_the_registrys_history_and_says_when_offline(
    qtbot, app_ctx, registry, console_factory, file_keyring
):
    """Ana writes an item three times before Ben pulls once: Ben's own audit has one
    change, the registry all three. Ben's History tab shows them, and offline says so."""
    from stewardship.domain.records import ChecklistItem
    from stewardship.ui.checklists_view import ChecklistsView

    ana = console_factory("ana")
    model = ana.store.save(Model(slug="m", display_name="M", provider="P"), "Ana")
    item = ana.store.save(ChecklistItem(model_id=model.id, title="Draft 1"), "Ana")
    ana.sync()
    for title in ("Draft 2", "Final"):
        item = ana.store.save(ana.store.get(ChecklistItem, item.id).replace(title=title), "Ana")
        ana.sync()

    save_registry(app_ctx.store, RegistrySettings(registry.url))
    keyring.set_password(SERVICE, registry.url, registry.token("ben"))
    from stewardship.services.sync_service import run_sync

    run_sync(app_ctx.store.path)
    view = ChecklistsView(app_ctx)
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    assert view.select_model(model.id)

    def titles() -> list[tuple[str, str, str]]:
        table = view.history
        return [
            (table.item(r, 2).text(), table.item(r, 3).text(), table.item(r, 4).text())
            for r in range(table.rowCount())
        ]

    assert view.current_item().id == item.id
    assert "asking the registry" in view.history_note.text()  # local rows at once, no wait
    qtbot.waitUntil(lambda: "registry's history" in view.history_note.text(), timeout=15_000)
    assert "3 writes there" in view.history_note.text()
    shown = titles()
    assert ("Title", "Draft 1", "Draft 2") in shown and ("Title", "Draft 2", "Final") in shown
    notes = [view.history.item(r, 5).text() for r in range(view.history.rowCount())]
    assert any("written by 'ana'" in n for n in notes)

    registry.stop()
    view._show_history()
    qtbot.waitUntil(lambda: "Offline" in view.history_note.text(), timeout=20_000)
    assert ("Title", "Draft 1", "Draft 2") not in titles(), "offline: the local audit only"
    assert titles(), "the local audit is still shown"


def test_enter_on_a_conflict_moves_to_its_first_decision(qtbot, registry, console_factory, today):
    from PySide6.QtCore import Qt

    _, ben, _, _ = conflicting_notes(console_factory)

    ctx = AppContext(data_dir=ben.data_dir, store=ben.store, who="ben", today=lambda: today)
    view = ConflictsView(ctx)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.refresh()
    [choice] = view.choices
    qtbot.waitUntil(choice.choice.isVisible)
    view.list.setFocus()
    qtbot.waitUntil(view.list.hasFocus)
    qtbot.keyClick(view.list, Qt.Key.Key_Return)
    assert choice.choice.hasFocus(), "Enter on a record goes to its first decision"


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)], ids=["1024x768", "1280x720"])
def test_a_conflicts_decision_and_resolve_button_are_in_sight_on_a_small_screen(
    qtbot, registry, console_factory, today, size
):
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea

    from stewardship.ui.main_window import MainWindow

    _, ben, _, _ = conflicting_notes(
        console_factory,
        theirs="Partner asked for a week.",
        mine="Confirmed: no slip.",
        display_name="Halcyon 2",
    )

    ctx = AppContext(data_dir=ben.data_dir, store=ben.store, who="ben", today=lambda: today)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show_view("conflicts")
    window.show()
    qtbot.waitExposed(window)
    for _ in range(3):
        QApplication.processEvents()
    view = window.pages["conflicts"]
    [choice] = view.choices
    resolve = next(b for b in view.detail.findChildren(QPushButton) if b.text() == "Resolve")
    area = view.detail.parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    assert not area.horizontalScrollBar().isVisible(), "no sideways scrolling to decide"
    port = QRect(area.viewport().mapTo(window, QPoint(0, 0)), area.viewport().size())
    for widget in (choice.choice, choice.edit, resolve):
        where = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        assert port.contains(where), f"{widget} at {where.getRect()} is outside {port.getRect()}"
