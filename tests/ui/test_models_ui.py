from PySide6.QtWidgets import QComboBox, QLineEdit

from stewardship.domain.records import Model
from stewardship.ui.models_view import ModelsView


def field(view: ModelsView, name: str) -> QLineEdit:
    widget = view.form.widgets[name]
    assert isinstance(widget, QLineEdit)
    return widget


def test_new_model_form_refuses_invalid_input_inline(qtbot, ctx):
    view = ModelsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    view.new_model()
    form = view.form
    assert not form.save_button.isEnabled(), "an empty form cannot be saved"

    qtbot.keyClicks(field(view, "display_name"), "Kestrel 4")
    qtbot.keyClicks(field(view, "slug"), "Kestrel 4")
    qtbot.keyClicks(field(view, "provider"), "Meridian")
    qtbot.keyClicks(field(view, "retirement_on"), "31/12/2026")
    assert not form.save_button.isEnabled()
    assert form.errors["slug"].isVisibleTo(form)
    assert "lower-case" in form.errors["slug"].text()
    assert "YYYY-MM-DD" in form.errors["retirement_on"].text()
    assert field(view, "retirement_on").property("invalid") == "true"
    assert "Slug" in form.summary.text()


def test_model_form_saves_valid_input(qtbot, ctx):
    view = ModelsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    view.new_model()
    for name, text in [
        ("display_name", "Kestrel 4"),
        ("slug", "kestrel-4"),
        ("provider", "Meridian"),
        ("deprecation_announced_on", "2026-10-01"),
        ("retirement_on", "2026-12-31"),
    ]:
        qtbot.keyClicks(field(view, name), text)
    assert view.form.save_button.isEnabled()
    with qtbot.waitSignal(view.models_changed):
        view.form.save_button.click()
    saved = ctx.store.list(Model)
    assert [(m.slug, m.retirement_on.isoformat()) for m in saved] == [("kestrel-4", "2026-12-31")]
    assert view.model.rowCount() == 1
    assert ctx.store.history(saved[0].id)[0]["who"] == "Test Steward"


def test_date_order_and_duplicate_slug_are_explained(qtbot, demo_ctx):
    view = ModelsView(demo_ctx)
    qtbot.addWidget(view)
    view.refresh()
    view.new_model()
    qtbot.keyClicks(field(view, "display_name"), "Copy")
    qtbot.keyClicks(field(view, "slug"), "halcyon-2")
    qtbot.keyClicks(field(view, "provider"), "Meridian")
    qtbot.keyClicks(field(view, "deprecation_announced_on"), "2026-10-01")
    qtbot.keyClicks(field(view, "retirement_on"), "2026-09-01")
    assert "already used by Halcyon 2" in view.form.errors["slug"].text()
    assert "before deprecation announced on" in view.form.errors["retirement_on"].text()
    assert not view.form.save_button.isEnabled()


def test_lifecycle_choices_follow_the_allowed_transitions(qtbot, demo_ctx):
    view = ModelsView(demo_ctx)
    qtbot.addWidget(view)
    view.refresh()
    retired = next(m for m in demo_ctx.store.list(Model) if m.slug == "tern-small-0.9")
    assert view.select_model(retired.id)
    combo = view.form.widgets["state"]
    assert isinstance(combo, QComboBox)
    options = [combo.itemData(i) for i in range(combo.count())]
    assert options == ["retired", "retained_available"]


def test_search_narrows_the_models_table(qtbot, demo_ctx):
    view = ModelsView(demo_ctx)
    qtbot.addWidget(view)
    view.refresh()
    total = view.proxy.rowCount()
    qtbot.keyClicks(view.search, "orrery")
    assert view.proxy.rowCount() == 2 < total


def test_replacement_field_completes_other_models_slugs(qtbot, demo_ctx):
    view = ModelsView(demo_ctx)
    qtbot.addWidget(view)
    view.refresh()
    halcyon = next(m for m in demo_ctx.store.list(Model) if m.slug == "halcyon-2")
    assert view.select_model(halcyon.id)
    assert view.form.original is not None and view.form.original.slug == "halcyon-2", (
        "selecting a row opens the full record in the form"
    )
    completer = view.form.widgets["replacement"].completer()
    offered = completer.model().stringList()
    assert "halcyon-3" in offered and "halcyon-2" not in offered, "a model cannot replace itself"
    assert offered == sorted(offered)
