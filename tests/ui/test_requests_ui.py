from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from stewardship.domain.records import Model, PreferenceRequest
from stewardship.ui import style
from stewardship.ui.requests_view import RequestsView


def combo(view: RequestsView, name: str) -> QComboBox:
    widget = view.form.widgets[name]
    assert isinstance(widget, QComboBox)
    return widget


def choose(box: QComboBox, value: str) -> None:
    index = box.findData(value)
    assert index >= 0, f"{value} is not offered"
    box.setCurrentIndex(index)


def text(view: RequestsView, name: str):
    widget = view.form.widgets[name]
    assert isinstance(widget, QLineEdit | QPlainTextEdit)
    return widget


def make_view(qtbot, ctx) -> RequestsView:
    view = RequestsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    return view


def test_demo_requests_are_listed_with_low_cost_under_review_highlighted(qtbot, demo_ctx):
    view = make_view(qtbot, demo_ctx)
    assert view.model.rowCount() == 5
    highlighted = [r for r in view.model.rows() if r.highlighted]
    assert len(highlighted) == 1 and highlighted[0].request.estimated_cost == "low"
    row = view.model.rows().index(highlighted[0])
    index = view.model.index(row, 0)
    assert index.data(Qt.ItemDataRole.BackgroundRole) == style.WARNING_ROW_BG
    assert index.data(Qt.ItemDataRole.FontRole).bold()
    assert "1 low-cost awaiting a response" in view.count_label.text()


def test_filters_combine_with_the_search(qtbot, demo_ctx):
    view = make_view(qtbot, demo_ctx)
    choose(view.filters["estimated_cost"], "low")
    assert view.proxy.rowCount() == 3
    choose(view.filters["status"], "under_review")
    assert view.proxy.rowCount() == 1
    assert "1 of 5 requests" in view.count_label.text()
    choose(view.filters["status"], "")
    halcyon_2 = next(m for m in demo_ctx.store.list(Model) if m.slug == "halcyon-2")
    choose(view.filters["model_id"], halcyon_2.id)
    choose(view.filters["source"], "researcher")
    assert view.proxy.rowCount() == 1
    qtbot.keyClicks(view.search, "dyslexic")
    assert view.proxy.rowCount() == 0
    for name in ("model_id", "source", "estimated_cost"):
        choose(view.filters[name], "")
    assert view.proxy.rowCount() == 1


def test_form_refuses_an_answer_without_response_and_date_inline(qtbot, demo_ctx):
    view = make_view(qtbot, demo_ctx)
    view.new_request()
    form = view.form
    assert not form.save_button.isEnabled()
    halcyon_2 = next(m for m in demo_ctx.store.list(Model) if m.slug == "halcyon-2")
    choose(combo(view, "model_id"), halcyon_2.id)
    qtbot.keyClicks(text(view, "words"), "Please keep Halcyon 2 for our archive project.")
    choose(combo(view, "status"), "responded")
    assert not form.save_button.isEnabled()
    assert "needs the response given" in form.errors["response"].text()
    assert "needs the date of the response" in form.errors["responded_on"].text()
    assert text(view, "response").property("invalid") == "true"
    qtbot.keyClicks(text(view, "response"), "Archived copy offered to the project.")
    qtbot.keyClicks(text(view, "responded_on"), "28/11/2026")
    assert "YYYY-MM-DD" in form.errors["responded_on"].text()
    text(view, "responded_on").clear()
    qtbot.keyClicks(text(view, "responded_on"), "2026-11-28")
    assert form.save_button.isEnabled(), form.summary.text()
    form.save_button.click()
    saved = [r for r in demo_ctx.store.list(PreferenceRequest) if "archive" in r.words]
    assert len(saved) == 1 and saved[0].status == "responded"
    assert view.model.rowCount() == 6


def test_interview_link_only_for_requests_from_a_model_interview(qtbot, demo_ctx):
    view = make_view(qtbot, demo_ctx)
    view.new_request()
    halcyon_1 = next(m for m in demo_ctx.store.list(Model) if m.slug == "halcyon-1")
    choose(combo(view, "model_id"), halcyon_1.id)
    interviews = combo(view, "interview_id")
    assert not interviews.isEnabled()
    choose(combo(view, "source"), "model_interview")
    assert interviews.isEnabled() and interviews.count() == 2
    interviews.setCurrentIndex(1)
    choose(combo(view, "source"), "user")
    assert interviews.currentData() == "" and not interviews.isEnabled()


def test_saved_words_are_read_only_and_corrections_go_to_notes(qtbot, demo_ctx):
    view = make_view(qtbot, demo_ctx)
    target = next(r for r in view.model.rows() if r.request.source == "researcher")
    assert view.select_request(target.request.id)
    words = text(view, "words")
    assert isinstance(words, QPlainTextEdit) and words.isReadOnly()
    assert "never change" in view.form.hints["words"].text()
    qtbot.keyClicks(text(view, "notes"), "Study is three years, not two (per email).")
    assert view.form.save_button.isEnabled()
    view.form.save_button.click()
    stored = demo_ctx.store.get(PreferenceRequest, target.request.id)
    assert stored.words == target.request.words
    assert stored.notes == "Study is three years, not two (per email)."
    assert "Notes changed" in view.form.history.text()


def test_a_long_request_list_loads_in_the_background(qtbot, demo_ctx, monkeypatch):
    from PySide6.QtCore import QTimer

    import stewardship.ui.requests_view as requests_view
    from stewardship.domain.records import PreferenceRequest

    monkeypatch.setattr(requests_view, "BACKGROUND_LOAD_ABOVE", 3)
    total = demo_ctx.store.count(PreferenceRequest)
    assert total > 3
    view = requests_view.RequestsView(demo_ctx)
    qtbot.addWidget(view)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(0)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.refresh()
        assert view.count_label.text().startswith(f"Loading {total} requests")
        assert view.model.rowCount() == 0, "nothing is read on the GUI thread"
    timer.stop()
    assert ticks, "the GUI thread kept processing events during the load"
    assert view.model.rowCount() == total
    assert view.count_label.text().startswith(f"{total} requests")
