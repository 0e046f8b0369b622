"""The window's one task class: real pool threads, real signals, waited on with qtbot."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QThread

from stewardship.domain.tasks import CancelCheck, Cancelled, Progress
from stewardship.ui.tasks import run_task


def test_a_task_reports_progress_then_its_result_on_the_gui_thread(qtbot):
    worker_threads: list[threading.Thread] = []

    def count(progress: Progress, cancelled: CancelCheck) -> str:
        worker_threads.append(threading.current_thread())
        for done in range(1, 4):
            progress("Counting", done, 3)
        return "three"

    seen: list[tuple[str, int, int, bool]] = []
    gui = QThread.currentThread()
    task = run_task(count)
    # Connected after the start: nothing is delivered before run_task returned.
    task.signals.progress.connect(
        lambda what, done, total: seen.append((what, done, total, QThread.currentThread() is gui))
    )
    with qtbot.waitSignal(task.signals.succeeded, timeout=5_000) as result:
        pass
    assert result.args == ["three"]
    assert worker_threads and worker_threads[0] is not threading.main_thread(), "ran off the GUI"
    assert seen == [("Counting", n, 3, True) for n in (1, 2, 3)]
    assert task.ended


def test_a_failed_task_hands_over_the_exception_and_logs_its_traceback(qtbot, caplog):
    def explode(progress: Progress, cancelled: CancelCheck) -> None:
        raise ValueError("the file is not a schedule")

    caplog.set_level(logging.ERROR, logger="stewardship.ui.tasks")
    task = run_task(explode, name="importing plans.csv")
    with (
        qtbot.assertNotEmitted(task.signals.succeeded),
        qtbot.assertNotEmitted(task.signals.cancelled),
        qtbot.waitSignal(task.signals.failed, timeout=5_000) as failure,
    ):
        pass
    error, text = failure.args
    assert isinstance(error, ValueError) and str(error) == "the file is not a schedule"
    assert "in explode" in text and text.rstrip().endswith("ValueError: the file is not a schedule")
    [record] = [r for r in caplog.records if r.name == "stewardship.ui.tasks"]
    assert record.levelno == logging.ERROR
    assert "importing plans.csv" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[1] is error
    assert "in explode" in caplog.text, "the log has the traceback, not only the message"


def test_cancel_ends_a_task_with_cancelled_and_what_was_kept(qtbot, caplog):
    started = threading.Event()

    def wait_for_cancel(progress: Progress, cancelled: CancelCheck) -> None:
        started.set()
        while not cancelled():
            threading.Event().wait(0.005)
        raise Cancelled("import cancelled; nothing was imported")

    ended: list[str] = []
    task = run_task(
        wait_for_cancel,
        succeeded=lambda _r: ended.append("succeeded"),
        failed=lambda _e, _t: ended.append("failed"),
        cancelled=lambda: ended.append("cancelled"),
    )
    assert started.wait(5)
    with qtbot.waitSignal(task.signals.cancelled, timeout=5_000):
        task.cancel()
    qtbot.wait(20)  # a second ending signal, were there one, would be delivered by now
    assert ended == ["cancelled"]
    assert task.cancel_message == "import cancelled; nothing was imported"
    assert not caplog.records, "a cancel is not a failure"
