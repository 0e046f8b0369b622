"""The Models view: every model in a searchable table, and the form to edit one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QWidget

from ..app import AppContext
from ..domain.records import Model
from ..services.model_summary import ModelSummary
from ..services.models import ModelService
from .list_form_page import ListFormPage
from .model_form import ModelForm
from .panels import form_page, form_panel
from .table_model import Column, RowTableModel, SearchProxy


def _date(value: object) -> str:
    return value.isoformat() if value else ""  # type: ignore[attr-defined]


COLUMNS: list[Column[ModelSummary]] = [
    Column("Model", lambda m: m.display_name),
    Column("Slug", lambda m: m.slug),
    Column("Provider", lambda m: m.provider),
    Column("State", lambda m: m.lifecycle.label),
    Column(
        "Retires",
        lambda m: _date(m.retired_on or m.planned_retirement),
        sort=lambda m: _date(m.retired_on or m.planned_retirement) or "9999",
    ),
    Column("Replacement", lambda m: m.replacement_name),
]


class ModelsView(ListFormPage):
    models_changed = Signal()
    plural = "models"
    record_noun = "this model"
    first_field = "display_name"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.ctx = ctx
        self.service = ModelService(ctx.store, ctx.who)
        self.model: RowTableModel[ModelSummary] = RowTableModel(
            COLUMNS,
            search_text=lambda m: " ".join(
                [
                    m.display_name,
                    m.slug,
                    m.provider,
                    m.family,
                    m.lifecycle.label,
                    m.replacement,
                    m.replacement_name,
                ]
            ),
        )
        super().__init__(
            self.model,
            SearchProxy(),
            search_hint="Search models…  (Ctrl+F)",
            search_name="Search models",
            table_name="Models",
            widths=(190, 150, 150, 110, 100),
            sort_order=Qt.SortOrder.AscendingOrder,
            new_text="New model",
            new_tip="Add a model (Ctrl+N)",
            parent=parent,
        )

        self.form = ModelForm(self.service)
        self.form.saved.connect(self._saved)
        self.lay_out(
            "Models",
            "Every model this store knows, with its lifecycle dates.",
            form_panel(form_page(self.form)),
            sizes=(560, 500),
        )

    # -- the list-and-form page --------------------------------------------
    def load_rows(self) -> list[ModelSummary]:
        return self.service.summaries()

    def row_id(self, row: ModelSummary) -> str:
        return row.id

    def untouched(self, values: dict[str, Any]) -> bool:
        return not any(v for k, v in values.items() if k not in {"state", "internal_only"})

    def open_row(self, row: ModelSummary) -> None:
        model = self.service.get(row.id)  # the list holds summaries; the form the record
        if model is None:  # deleted since the list was read (a sync, another window)
            self.refresh()
            return
        self.form.load(model)

    # -- the view's own ----------------------------------------------------
    def select_model(self, model_id: str) -> bool:
        return self.select_row_of(model_id)

    def new_model(self) -> None:
        self.new_record()

    def _saved(self, model: Model) -> None:
        self.refresh()
        self.select_model(model.id)
        self.models_changed.emit()

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()
