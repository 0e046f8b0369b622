"""The Weights tab of the Checklists view: copies, the manifest, verification with progress,
Cancel and a result per file; the integrity item turns red when a copy fails."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtGui import QBrush

from stewardship.domain.records import ChecklistItem, Model
from stewardship.domain.weights import WeightVerification
from stewardship.ui import style
from stewardship.ui.checklists_view import ITEM_ROLE, ChecklistsView

FILES = {f"part-{i}.bin": bytes([65 + i]) * (3_000_000 + i) for i in range(4)}


def _view(qtbot, ctx) -> tuple[ChecklistsView, Model]:
    model = ctx.store.save(Model(slug="kestrel-1", display_name="Kestrel 1", provider="M"), "t")
    view = ChecklistsView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.refresh()
    assert view.select_model(model.id)
    return view, model


def _copy(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in FILES.items():
        (root / name).write_bytes(data)
    return root


def _integrity_node(view: ChecklistsView):
    for g in range(view.tree.topLevelItemCount()):
        group = view.tree.topLevelItem(g)
        for c in range(group.childCount()):
            node = group.child(c)
            item: ChecklistItem = node.data(0, ITEM_ROLE)
            if item.template_key == "weight_retention.integrity_verified":
                return node, item
    raise AssertionError("no integrity item")


def test_verify_a_copy_in_the_window_and_see_each_file(qtbot, ctx, tmp_path: Path) -> None:
    view, _model = _view(qtbot, ctx)
    panel = view.weights
    view.tabs.setCurrentWidget(panel)
    assert not panel.verify_button.isEnabled() and panel.add_button.isEnabled()
    root = _copy(tmp_path / "vault")
    assert panel.add_copy(root.as_uri(), "Vault") is not None
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(
        "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in FILES.items()), "utf-8"
    )
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        assert panel.import_manifest(sums)
    assert "Manifest:</b> 4 files" in panel.manifest_label.text()
    assert panel.verify_button.isEnabled() and not panel.import_button.isEnabled()
    assert panel.copies.item(0, 6).text() == "never verified"

    (root / "part-2.bin").write_bytes(b"damaged")
    progress: list[int] = []
    with qtbot.waitSignal(panel.changed, timeout=30_000):
        panel.verify_selected()
        assert panel.task_status.cancel_button.isVisible()
        assert not panel.verify_button.isEnabled()  # one run at a time
        panel.task_status.task.signals.progress.connect(lambda _w, d, _t: progress.append(d))

    assert progress and progress[-1] > 0
    assert "failed" in panel.result_label.text()
    first = [panel.result_table.item(0, c).text() for c in range(3)]
    assert first == ["Vault", "part-2.bin", "digest differs"]
    assert panel.result_table.rowCount() == 4
    assert panel.copies.item(0, 6).text() == "failed"
    assert panel.copies.item(0, 0).background() == QBrush(style.OVERDUE_BG)
    node, item = _integrity_node(view)
    assert item.status == "blocked"
    assert node.foreground(0).color() == style.OVERDUE_FG
    assert "Vault failed" in node.toolTip(2)
    assert "weights: 1 copy failed or overdue" in view.summary.text()
    assert ctx.store.count(WeightVerification) == 1


def test_cancel_a_verification_keeps_nothing(qtbot, ctx, tmp_path: Path, monkeypatch) -> None:
    view, _model = _view(qtbot, ctx)
    panel = view.weights
    panel.add_copy(_copy(tmp_path / "vault").as_uri(), "Vault")
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(
        "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in FILES.items()), "utf-8"
    )
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        panel.import_manifest(sums)
    # Slow the reads down so Cancel comes while the files are being hashed.
    import time

    from stewardship.services import archives

    real = archives._hash_stream

    def slow(read_into, stop, add_bytes, what):
        def read(view):
            time.sleep(0.05)
            return read_into(view[: 64 * 1024])

        return real(read, stop, add_bytes, what)

    monkeypatch.setattr(archives, "_hash_stream", slow)
    with qtbot.waitCallback(timeout=30_000) as ended:
        panel.verify_selected()
        task = panel.task_status.task
        task.signals.cancelled.connect(ended)
        qtbot.wait(300)
        panel.task_status.cancel()
    assert panel.task_status.message.text() == "Cancelled; nothing was kept."
    assert ctx.store.count(WeightVerification) == 0
    assert panel.verify_button.isEnabled()


def test_a_bad_sha256sums_is_refused_with_its_line(qtbot, ctx, tmp_path: Path) -> None:
    view, _model = _view(qtbot, ctx)
    panel = view.weights
    bad = tmp_path / "SHA256SUMS"
    bad.write_text("not a sha256sum line\n", "utf-8")
    with qtbot.waitCallback(timeout=10_000) as ended:
        assert panel.import_manifest(bad)
        panel.task_status.task.signals.failed.connect(ended)
    assert "SHA256SUMS, line 1" in panel.task_status.message.text()
    assert panel.import_button.isEnabled()
    assert "No manifest yet" in panel.manifest_label.text()
