"""The evidence file of a checklist item: choose it, copy and hash it off the GUI thread,
show the digest and where the file is (this laptop, the registry: Fetch, missing everywhere).

A mix-in of :class:`~stewardship.ui.checklist_item_editor.ItemEditor`, which
provides ``original``, ``widgets``, ``errors``, ``validate()``, ``save_button``
and ``service``; hashing (the file is copied into the data folder as it is
hashed, so it travels with the item) and fetching run as tasks
(``ui/tasks.py``) with progress and cancel.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QProgressBar, QPushButton, QWidget

from ..services.attached_files import FileWhere, attach_evidence_file, fetch_file, file_state
from .tasks import Task, run_task
from .widgets import repolish

if TYPE_CHECKING:
    from ..domain.records import ChecklistItem
    from ..services.checklists import ChecklistService


class EvidenceHashing:
    """Choose-file button, progress bar and Cancel, and what they do (see the module)."""

    original: ChecklistItem | None
    widgets: dict[str, QWidget]
    errors: dict[str, QLabel]
    save_button: QPushButton
    service: ChecklistService
    hash_job: Task | None = None

    if TYPE_CHECKING:  # provided by the editor

        def validate(self) -> object: ...

    def _make_hashing_controls(self) -> None:
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.setToolTip("Hash a file as evidence (Ctrl+O)")
        self.choose_button.clicked.connect(self.choose_file)
        self.hash_bar = QProgressBar()
        self.hash_bar.setRange(0, 100)
        self.hash_bar.setFormat("Hashing… %p%")
        self.hash_bar.setAccessibleName("Hashing progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop hashing (Esc)")
        self.cancel_button.clicked.connect(self.cancel_hash)
        self.hash_bar.hide()
        self.cancel_button.hide()
        self.file_where = QLabel()
        self.file_where.setWordWrap(True)
        self.file_where.setObjectName("evidenceFileWhere")
        self.file_where.hide()
        self.fetch_button = QPushButton("Fetch")
        self.fetch_button.setToolTip("Bring the evidence file from the registry to this laptop")
        self.fetch_button.clicked.connect(self.fetch_evidence)
        self.fetch_button.hide()

    @property
    def data_dir(self) -> Path:
        return Path(self.service.store.path).parent

    def show_file_state(self, item: ChecklistItem | None) -> None:
        """Say where the item's evidence file is; offer Fetch when the registry has it."""
        self.fetch_button.hide()
        self.file_where.hide()
        if item is None or not item.evidence_file or not item.evidence_sha256:
            return
        state = file_state(
            self.service.store, self.data_dir, item.evidence_sha256, item.modified_by
        )
        self.file_where.setText(state.text)
        bad = state.where in (FileWhere.MISSING, FileWhere.DAMAGED)
        self.file_where.setProperty("role", "error" if bad else "hint")
        repolish(self.file_where)
        self.file_where.show()
        self.fetch_button.setVisible(state.can_fetch)

    def fetch_evidence(self) -> Task | None:
        """Fetch the evidence file from the registry in the background (checked, cancellable)."""
        item = self.original
        if item is None or self.is_hashing() or not item.evidence_sha256:
            return None
        sha, store_file = item.evidence_sha256, Path(self.service.store.path)
        job = run_task(
            lambda progress, cancelled: fetch_file(
                store_file, sha, progress=progress, cancelled=cancelled
            ),
            name=f"fetching evidence {sha[:12]}",
        )
        job.signals.progress.connect(
            lambda _what, done, total: self._hash_progress(job, done, total)
        )
        job.signals.succeeded.connect(lambda _path: self._fetch_done(job, ""))
        job.signals.failed.connect(lambda exc, _text: self._fetch_done(job, str(exc)))
        job.signals.cancelled.connect(lambda: self._fetch_done(job, ""))
        self.hash_job = job
        self.hash_bar.setFormat("Fetching… %p%")
        self.hash_bar.setValue(0)
        self.hash_bar.show()
        self.cancel_button.show()
        self.fetch_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        return job

    def _fetch_done(self, job: Task, error: str) -> None:
        if job is not self.hash_job:
            return
        self._hash_done()
        self.hash_bar.setFormat("Hashing… %p%")
        self.fetch_button.setEnabled(True)
        self.show_file_state(self.original)
        if error:
            self.errors["evidence_file"].setText(f"Not fetched: {error}")
            self.errors["evidence_file"].show()

    def choose_file(self) -> None:
        if self.original is None or self.is_hashing():
            return
        path, _ = QFileDialog.getOpenFileName(
            cast(QWidget, self), "Choose the evidence file to hash"
        )
        if path:
            self.hash_path(path)

    def hash_path(self, path: str | Path) -> Task:
        """Copy ``path`` into the data folder while hashing it, in the background; the
        digest fills the form when done (the file then travels with the item)."""
        self.cancel_hash()
        name, data_dir = str(path), self.data_dir
        job = run_task(
            lambda progress, cancelled: (
                attach_evidence_file(data_dir, name, progress, cancelled).sha256
            ),
            name=f"hashing {Path(name).name}",
        )
        job.signals.progress.connect(
            lambda _what, done, total: self._hash_progress(job, done, total)
        )
        # Signals reach the GUI thread after run_task returned: nothing is missed.
        job.signals.succeeded.connect(lambda digest: self._hash_finished(job, name, digest))
        job.signals.failed.connect(lambda exc, _text: self._hash_failed(job, name, exc))
        job.signals.cancelled.connect(lambda: self._hash_cancelled(job))
        self.hash_job = job
        self.hash_bar.setValue(0)
        self.hash_bar.show()
        self.cancel_button.show()
        self.choose_button.setEnabled(False)
        self.errors["evidence_file"].hide()
        self.cancel_button.setFocus()
        return job

    def is_hashing(self) -> bool:
        return self.hash_job is not None

    def cancel_hash(self) -> None:
        if self.hash_job is not None:
            self.hash_job.cancel()
            self._hash_done()

    def _hash_done(self) -> None:
        self.hash_job = None
        self.hash_bar.hide()
        self.cancel_button.hide()
        self.choose_button.setEnabled(self.original is not None)

    def _hash_progress(self, job: Task, done: int, total: int) -> None:
        if job is self.hash_job:
            self.hash_bar.setValue(100 if total == 0 else done * 100 // total)

    def _hash_finished(self, job: Task, path: str, digest: str) -> None:
        if job is not self.hash_job:
            return
        self._hash_done()
        file_edit, digest_edit = self.widgets["evidence_file"], self.widgets["evidence_sha256"]
        assert isinstance(file_edit, QLineEdit) and isinstance(digest_edit, QLineEdit)
        file_edit.setText(path)
        digest_edit.setText(digest)
        self.validate()
        self.file_where.setText("On this laptop (copied into the data folder); save the item.")
        self.file_where.setProperty("role", "hint")
        repolish(self.file_where)
        self.file_where.show()
        self.save_button.setFocus()

    def _hash_failed(self, job: Task, path: str, exc: BaseException) -> None:
        if job is not self.hash_job:
            return
        self._hash_done()
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
        self.errors["evidence_file"].setText(f"Cannot read {Path(path).name}: {reason}")
        self.errors["evidence_file"].show()

    def _hash_cancelled(self, job: Task) -> None:
        if job is self.hash_job:
            self._hash_done()
