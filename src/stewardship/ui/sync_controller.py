"""Runs sync in the background: on demand (F9) and every few minutes, never on the GUI thread."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from ..app import AppContext
from ..domain.tasks import Cancelled
from ..services.credentials import load_token
from ..services.paths import store_path
from ..services.sync_service import (
    AuthRefused,
    NotConfigured,
    SyncError,
    registry_settings,
    run_sync,
    sync_status,
)
from .tasks import Task, run_task

if TYPE_CHECKING:
    from ..services.sync_service import SyncSummary

BACKGROUND_INTERVAL_MS = 5 * 60 * 1000


class Phase(StrEnum):
    NOT_CONFIGURED = "not_configured"
    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    FAILED = "failed"


class SyncController(QObject):
    """Owns the sync worker and what the status bar shows about it."""

    changed = Signal()  # phase, counts or message changed
    progress = Signal(str, int, int)
    finished = Signal(object)  # SyncSummary | Exception
    token_needed = Signal(str)  # why

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        interval_ms: int = BACKGROUND_INTERVAL_MS,
        client_options: dict[str, float] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.client_options = client_options or {}
        self.phase = Phase.IDLE
        self.message = ""
        self.last_summary: SyncSummary | None = None
        self.session_token: str | None = None  # when no keyring: kept in memory only
        self._worker: Task | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._scheduled_sync)
        self.timer.start()
        self.refresh_status()

    # -- state -----------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._worker is not None

    def refresh_status(self) -> None:
        status = sync_status(self.ctx.store)
        self.waiting = status.waiting
        self.conflicts = status.conflicts
        self.last_success_at = status.last_success_at
        if not status.configured:
            self.phase = Phase.NOT_CONFIGURED
        elif self.phase == Phase.NOT_CONFIGURED:
            self.phase = Phase.IDLE
        self.changed.emit()

    def minutes_since_sync(self, now: datetime | None = None) -> int | None:
        if not self.last_success_at:
            return None
        then = datetime.fromisoformat(self.last_success_at.replace("Z", "+00:00"))
        now = now or datetime.now(UTC)
        return max(0, int((now - then).total_seconds() // 60))

    def token(self) -> str | None:
        return self.session_token or load_token(registry_settings(self.ctx.store).url)

    # -- actions ---------------------------------------------------------
    def _scheduled_sync(self) -> None:
        if self.ctx.store.closed:  # the window's data folder was closed under the timer
            self.timer.stop()
            return
        self.sync_now(background=True)

    def sync_now(self, *, background: bool = False) -> bool:
        """Start a sync unless one runs or nothing is set up. Returns True if started."""
        if self.busy:
            return False
        settings = registry_settings(self.ctx.store)
        if not settings.configured:
            self.phase = Phase.NOT_CONFIGURED
            self.changed.emit()
            return False
        token = self.token()
        if not token:
            if not background:
                self.token_needed.emit("Enter your registry token to sync.")
            return False
        path = store_path(self.ctx.data_dir)
        options = self.client_options
        self._worker = run_task(
            lambda progress, cancelled: run_sync(
                path, token=token, progress=progress, cancelled=cancelled, client_options=options
            ),
            succeeded=self._succeeded,
            failed=self._failed,
            cancelled=self._cancelled,
            progress=self.progress.emit,
            name="sync",
        )
        self.phase = Phase.SYNCING
        self.message = ""
        self.changed.emit()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _succeeded(self, summary: SyncSummary) -> None:
        self._worker = None
        self.phase = Phase.IDLE
        self.last_summary = summary
        self.message = summary.line()
        self.refresh_status()
        self.finished.emit(summary)

    def _cancelled(self) -> None:
        worker, self._worker = self._worker, None
        self.phase = Phase.IDLE
        self.message = worker.cancel_message if worker is not None else "sync cancelled"
        self.refresh_status()
        self.finished.emit(Cancelled(self.message))

    def _failed(self, error: BaseException, _traceback: str) -> None:
        self._worker = None
        if isinstance(error, AuthRefused):
            self.phase = Phase.FAILED
            self.message = str(error)
            if error.status == 401:
                self.session_token = None
                self.token_needed.emit(f"The registry refused your token: {error}")
        elif isinstance(error, NotConfigured):
            self.phase = Phase.NOT_CONFIGURED
            self.message = str(error)
        elif isinstance(error, SyncError):
            self.phase = Phase.OFFLINE
            self.message = str(error)
        else:
            self.phase = Phase.FAILED
            self.message = f"sync failed unexpectedly: {type(error).__name__}: {error}"
        self.refresh_status()
        self.finished.emit(error)
