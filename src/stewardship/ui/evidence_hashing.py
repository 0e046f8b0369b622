"""The evidence file of a checklist item: choose it, hash it off the GUI thread, show the digest.

A mix-in of :class:`~stewardship.ui.checklist_item_editor.ItemEditor`, which
provides ``original``, ``widgets``, ``errors``, ``validate()`` and
``save_button``; hashing runs as a task (``ui/tasks.py``) with progress and cancel.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QFileDialog, QLineEdit, QProgressBar, QPushButton, QWidget

from ..services.hashing import hash_file
from .tasks import Task, run_task

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QWidget

    from ..domain.records import ChecklistItem


class EvidenceHashing:
    """Choose-file button, progress bar and Cancel, and what they do (see the module)."""

    original: ChecklistItem | None
    widgets: dict[str, QWidget]
    errors: dict[str, QLabel]
    save_button: QPushButton
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

    def choose_file(self) -> None:
        if self.original is None or self.is_hashing():
            return
        path, _ = QFileDialog.getOpenFileName(
            cast(QWidget, self), "Choose the evidence file to hash"
        )
        if path:
            self.hash_path(path)

    def hash_path(self, path: str | Path) -> Task:
        """Hash ``path`` in the background; the digest fills the form when done."""
        self.cancel_hash()
        name = str(path)
        job = run_task(
            lambda progress, cancelled: hash_file(name, progress, cancelled),
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
