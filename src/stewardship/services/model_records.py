"""The shared use cases of a record that belongs to a model (a request, interview, report).

Each such service reads one record type and saves it the same way: judged
whole against the domain rules, the edit rules for what is already stored
and the model it points to, then stored in one transaction with its audit
rows and outbox entry (``Store.save``). A subclass names its record class and
adds its own rules to :meth:`ModelRecordService.problems`.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar, cast

from ..domain.errors import Problem, ValidationError
from ..domain.records import Model, Record
from ..store import Store

R = TypeVar("R", bound=Record)


class _OfModel(Protocol):
    model_id: str


class ModelRecordService(Generic[R]):
    """Read and save records of :attr:`record_cls`, each of which names a ``model_id``."""

    #: the record class, set by each subclass
    record_cls: type[R]

    def __init__(self, store: Store, who: str) -> None:
        self.store = store
        self.who = who

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        record_cls = cls.__dict__.get("record_cls")
        if record_cls is not None and "model_id" not in record_cls.field_kinds():
            raise TypeError(f"{record_cls.__name__} does not belong to a model (no model_id)")

    def get(self, record_id: str) -> R | None:
        return self.store.get(self.record_cls, record_id)

    # -- rules -----------------------------------------------------------
    def edit_problems(self, stored: R | None, record: R) -> list[Problem]:
        """What the stored copy forbids changing (none unless a subclass says so)."""
        return []

    def problems(self, record: R) -> list[Problem]:
        """Everything that would stop ``record`` from being saved, field by field.

        A subclass extends the list with its own rules (call this first).
        """
        found = record.problems()
        found.extend(self.edit_problems(self.get(record.id), record))
        model_id = cast(_OfModel, record).model_id  # checked in __init_subclass__
        if model_id and self.store.get(Model, model_id) is None:
            found.append(Problem("model_id", "no such model in this store"))
        return found

    # -- writing ---------------------------------------------------------
    def save(self, record: R, *, note: str = "") -> R:
        """Store a new record or an edit; refused whole, with every problem, if invalid."""
        with self.store.transaction():
            found = self.problems(record)
            if found:
                raise ValidationError(found)
            return self.store.save(record, self.who, note=note)
