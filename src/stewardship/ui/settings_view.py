"""Settings: the registry this data folder syncs with, its CA bundle and the token."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.errors import ValidationError
from ..services.attached_files import auto_fetch_mb, set_auto_fetch_mb
from ..services.credentials import (
    KeyringUnavailable,
    forget_token,
    keyring_description,
    keyring_usable,
    store_token,
)
from ..services.identity import SETTING_KEY as STEWARD_KEY
from ..services.identity import named_steward
from ..services.sync_service import (
    RegistrySettings,
    own_registry_settings,
    registry_settings,
    save_registry,
    test_connection,
    validate_registry,
)
from .org_defaults import OrgDefaultsPanel
from .panels import scrolling
from .sync_controller import SyncController
from .tasks import Task, run_task
from .widgets import page_subtitle, page_title, repolish


def _section(title: str) -> QLabel:
    label = QLabel(f"<b>{title}</b>")
    label.setStyleSheet("font-size: 14px; padding-top: 6px;")
    return label


class SettingsView(QWidget):
    def __init__(
        self, ctx: AppContext, controller: SyncController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.controller = controller
        self._worker: Task | None = None

        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://registry.example.org")
        self.url_edit.setAccessibleName("Registry URL")
        self.ca_edit = QLineEdit()
        self.ca_edit.setPlaceholderText("optional: your organisation's CA bundle (PEM)")
        self.ca_edit.setAccessibleName("CA bundle")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        self.steward_edit = QLineEdit()
        self.steward_edit.setAccessibleName("Your name")
        self.steward_edit.setPlaceholderText("as it appears in the audit log")
        self.auto_fetch = QSpinBox()
        self.auto_fetch.setRange(0, 100_000)
        self.auto_fetch.setSuffix(" MB")
        self.auto_fetch.setAccessibleName("Fetch files automatically up to")
        self.auto_fetch.setToolTip(
            "Transcripts and evidence files up to this size come with every sync;"
            " larger ones wait for Fetch (0: always on demand)"
        )
        self.save_button = QPushButton("Save settings")
        self.save_button.setProperty("primary", "true")
        self.save_button.clicked.connect(self.save)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)

        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("paste the token your registry admin gave you")
        self.token_edit.setAccessibleName("Registry token")
        self.store_token_button = QPushButton("Use token")
        self.store_token_button.clicked.connect(self.use_token)
        self.forget_button = QPushButton("Forget token")
        self.forget_button.clicked.connect(self.forget)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.store_token_button)
        token_row.addWidget(self.forget_button)
        self.keyring_label = QLabel()
        self.keyring_label.setProperty("role", "hint")
        self.keyring_label.setWordWrap(True)
        self.token_state = QLabel()
        self.token_state.setWordWrap(True)

        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)

        form = QFormLayout()
        form.addRow(_section("Registry"))
        form.addRow("Registry URL:", self.url_edit)
        form.addRow("CA bundle:", ca_row)
        form.addRow("Your name:", self.steward_edit)
        form.addRow("Fetch files up to:", self.auto_fetch)
        form.addRow("", self.error_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form.addRow("", buttons)
        form.addRow(_section("Sign-in token"))
        form.addRow("Token:", token_row)
        form.addRow("", self.token_state)
        form.addRow("", self.keyring_label)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        form.addRow("", test_row)

        panel = QFrame()
        panel.setObjectName("panel")
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(16, 12, 16, 12)
        panel_layout.setSpacing(14)
        panel_layout.addLayout(form)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_title("Settings"))
        layout.addWidget(
            page_subtitle(
                "The shared registry this data folder syncs with. Everything works offline;"
                " changes wait in the outbox until the registry can be reached."
            )
        )
        # The panels scroll where the window is short (960x600): never clipped.
        body = QWidget()
        body.setObjectName("page")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(panel)
        self.org_panel = OrgDefaultsPanel(ctx)
        body_layout.addWidget(self.org_panel)
        body_layout.addStretch(1)
        layout.addWidget(scrolling(body, sideways=False), 1)

    def refresh(self) -> None:
        own = own_registry_settings(self.ctx.store)
        org = self.ctx.settings.org if self.ctx.settings else None
        self.url_edit.setText(own.url)
        self.ca_edit.setText(own.ca_bundle)
        if org is not None and org.registry_url:
            self.url_edit.setPlaceholderText(f"{org.registry_url}  (organisation default)")
        if org is not None and org.ca_bundle:
            self.ca_edit.setPlaceholderText(f"{org.ca_bundle}  (organisation default)")
        self.steward_edit.setText(named_steward(self.ctx.store))
        self.auto_fetch.setValue(round(auto_fetch_mb(self.ctx.store)))
        about = keyring_description()
        self.keyring_label.setText(about[:1].upper() + about[1:] + ".")
        self._show_token_state()
        self._warn_clear_text()

    def _warn_clear_text(self) -> None:
        """A registry set with --insecure (plain http:// to another computer) is warned about."""
        settings = registry_settings(self.ctx.store)
        if settings.insecure and not self.error_label.text():
            self.error_label.setText("Warning: " + settings.clear_text_warning + ".")

    def _show_token_state(self) -> None:
        url = registry_settings(self.ctx.store).url
        if not url:
            self.token_state.setText("Set the registry URL first.")
        elif self.controller.token():
            where = "for this session only" if self.controller.session_token else "stored"
            self.token_state.setText(f"A token for {url} is {where}.")
        else:
            self.token_state.setText(f"No token for {url} yet.")

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", "", "PEM files (*.pem *.crt);;All files (*)"
        )
        if path:
            self.ca_edit.setText(path)

    def _set_error(self, text: str) -> None:
        self.error_label.setText(text)
        for widget, field in ((self.url_edit, "url"), (self.ca_edit, "ca_bundle")):
            widget.setProperty("invalid", "true" if field + ":" in text else "false")
            repolish(widget)

    def save(self) -> RegistrySettings | None:
        own = own_registry_settings(self.ctx.store)
        url = self.url_edit.text()
        try:
            settings = validate_registry(
                url,
                self.ca_edit.text().strip(),
                allow_empty=True,
                insecure=own.insecure and url.strip().rstrip("/") == own.url,
            )
        except ValidationError as exc:
            self._set_error(str(exc))
            return None
        self._set_error("")
        save_registry(self.ctx.store, settings)
        if self.auto_fetch.value() != round(auto_fetch_mb(self.ctx.store)):
            set_auto_fetch_mb(self.ctx.store, self.auto_fetch.value())
        settings = registry_settings(self.ctx.store)  # the organisation's where left empty
        name = self.steward_edit.text().strip()
        if name and name != self.ctx.who:
            self.ctx.store.set_setting(STEWARD_KEY, name)
            self.ctx.who = name
        self.controller.refresh_status()
        self._show_token_state()
        self._warn_clear_text()
        return settings

    def _configured(self) -> RegistrySettings | None:
        settings = self.save()
        if settings is not None and not settings.configured:
            self._set_error("url: set the registry URL (your organisation has not set one)")
            return None
        return settings

    def use_token(self) -> None:
        token = self.token_edit.text().strip()
        settings = self._configured()
        if settings is None or not token:
            return
        self.token_edit.clear()
        try:
            store_token(settings.url, token)
            self.controller.session_token = None
        except KeyringUnavailable as exc:
            self.controller.session_token = token
            self.token_state.setText(f"Kept for this session only: {exc}.")
            return
        self._show_token_state()

    def forget(self) -> None:
        url = registry_settings(self.ctx.store).url
        self.controller.session_token = None
        if url and keyring_usable():
            forget_token(url)
        self._show_token_state()

    def test(self) -> None:
        settings = self._configured()
        if settings is None or self._worker is not None:
            return
        token = self.token_edit.text().strip() or self.controller.token()
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing…")
        self._worker = run_task(
            lambda progress, cancelled: test_connection(settings, token),
            succeeded=lambda text: self._test_done("✔ " + text),
            failed=lambda exc, _text: self._test_done(f"✘ {exc}"),
            name="testing the registry connection",
        )

    def _test_done(self, result: str) -> None:
        self.test_result.setText(result)
        self._worker = None
        self.test_button.setEnabled(True)
