"""The evidence file of a checklist item: choose it, hash it off the GUI thread, show the digest.

A mix-in of :class:`~stewardship.ui.checklist_item_editor.ItemEditor`, which
provides ``original``, ``widgets``, ``errors``, ``validate()`` and
``save_button``; hashing runs as a :class:`HashJob` with progress and cancel.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QFileDialog, QLineEdit, QProgressBar, QPushButton

from .hash_worker import HashJob

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QWidget

    from ..domain.records import ChecklistItem


class EvidenceHashing:
    """Choose-file button, progress bar and Cancel, and what they do (see the module)."""

    original: ChecklistItem | None
    widgets: dict[str, QWidget]
    errors: dict[str, QLabel]
    save_button: QPushButton
    hash_job: HashJob | None = None

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

    def choose_file(self) -> None:
        if self.original is None or self.is_hashing():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Choose the evidence file to hash")
        if path:
            self.hash_path(path)

    def hash_path(self, path: str | Path) -> HashJob:
        """Hash ``path`` in the background; the digest fills the form when done."""
        self.cancel_hash()
        job = HashJob(path)
        job.signals.progress.connect(self.hash_bar.setValue)
        job.signals.finished.connect(self._hash_finished)
        job.signals.failed.connect(self._hash_failed)
        job.signals.cancelled.connect(self._hash_cancelled)
        self.hash_job = job
        self.hash_bar.setValue(0)
        self.hash_bar.show()
        self.cancel_button.show()
        self.choose_button.setEnabled(False)
        self.errors["evidence_file"].hide()
        QThreadPool.globalInstance().start(job)
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

    def _current(self, path: str) -> bool:
        return self.hash_job is not None and self.hash_job.path == path

    def _hash_finished(self, path: str, digest: str) -> None:
        if not self._current(path):
            return
        self._hash_done()
        file_edit, digest_edit = self.widgets["evidence_file"], self.widgets["evidence_sha256"]
        assert isinstance(file_edit, QLineEdit) and isinstance(digest_edit, QLineEdit)
        file_edit.setText(path)
        digest_edit.setText(digest)
        self.validate()
        self.save_button.setFocus()

    def _hash_failed(self, path: str, reason: str) -> None:
        if not self._current(path):
            return
        self._hash_done()
        self.errors["evidence_file"].setText(f"Cannot read {Path(path).name}: {reason}")
        self.errors["evidence_file"].show()

    def _hash_cancelled(self, path: str) -> None:
        if self._current(path):
            self._hash_done()
