"""The JSON shapes of the protocol, as pydantic models (and so as OpenAPI schemas)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

from stewardship.domain.records import RECORD_TYPES

from .tokens import Role

RecordType = StrEnum("RecordType", {name: name for name in RECORD_TYPES})  # type: ignore[misc]
RecordType.__doc__ = "The kind of a synced record."


def _whole_number(value: Any) -> Any:
    """A JSON number with no fraction (``3`` or ``3.0``, as JSON Schema's "integer" allows);
    text, booleans and fractions are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("Input should be a whole number")
        return int(value)
    return value


#: A whole number as JSON Schema's "integer" means it (no text, no fraction, 3.0 allowed).
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]

MAX_OPERATIONS = 100
MAX_VERSION = 2**53 - 1
#: A record id: made by the client (a UUID in practice), printable, no '/'.
ID_PATTERN = r"^[^\x00-\x1f\x7f/]{1,200}$"


class FieldProblem(BaseModel):
    """One thing wrong with one field."""

    field: str = Field(
        description="The field at fault, e.g. 'slug' or 'operations[2].base_version'."
    )
    reason: str = Field(description="Why, in a steward's words.")
    pointer: str | None = Field(
        None,
        description="JSON Pointer into the request body, when known.",
        exclude_if=lambda value: value is None,
    )


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem; clients switch on it.")
    title: str = Field(description="A short summary of that kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    instance: str | None = Field(
        None, description="The request path.", exclude_if=lambda value: value is None
    )
    errors: list[FieldProblem] | None = Field(
        None, description="Every field at fault.", exclude_if=lambda value: value is None
    )


#: "An operation has data or deleted: true, never both" in JSON Schema terms, so
#: /openapi.json describes exactly what the validator below enforces.
_DATA_OR_DELETED: dict[str, Any] = {
    "oneOf": [
        {
            "title": "write",
            "required": ["data"],
            "properties": {"data": {"type": "object"}, "deleted": {"const": False}},
        },
        {
            "title": "delete",
            "required": ["deleted"],
            "properties": {"deleted": {"const": True}, "data": {"type": "null"}},
        },
    ]
}


class Operation(BaseModel):
    """One write in a batch: ``data`` to create or replace, or ``deleted: true``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_DATA_OR_DELETED)

    type: RecordType
    id: str = Field(pattern=ID_PATTERN, description="The record's id (a UUID made by the client).")
    base_version: WholeNumber = Field(
        ge=0,
        le=MAX_VERSION,
        description="The version the client last synced (0: the client is creating the record).",
    )
    data: dict[str, Any] | None = Field(
        None, description="The record's fields as in the JSON export; omit when deleting."
    )
    deleted: StrictBool = Field(False, description="true to delete (tombstone) the record.")
    modified_by: str | None = Field(
        None,
        max_length=200,
        description="The steward making this change; else data.modified_by; else the token's name.",
    )

    @model_validator(mode="after")
    def _data_or_deleted(self) -> Operation:
        if self.deleted and self.data is not None:
            raise ValueError("give either data or deleted: true, not both")
        if not self.deleted and self.data is None:
            raise ValueError("give data, or deleted: true")
        return self


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operations: list[Operation] = Field(min_length=1, max_length=MAX_OPERATIONS)


class RecordEnvelope(BaseModel):
    """A record as the registry holds it. A tombstone has ``deleted: true`` and ``data: null``."""

    type: RecordType
    id: str
    version: int = Field(description="The registry version of the record's last write.")
    deleted: bool
    modified_at: str = Field(description="Server time (UTC, ISO 8601) of the last write.")
    modified_by: str = Field(description="The steward who made the last write, as the client said.")
    written_by: str = Field(description="The name of the token that made the last write.")
    data: dict[str, Any] | None = Field(
        description="The record's fields (including id, version, modified_at, modified_by, "
        "deleted as the server set them); null for a tombstone."
    )


class Applied(BaseModel):
    status: Literal["applied"]
    type: RecordType
    id: str
    version: int = Field(description="The record's new registry version.")
    record: RecordEnvelope


class Conflict(BaseModel):
    status: Literal["conflict"]
    type: RecordType
    id: str
    current: RecordEnvelope | None = Field(
        description="The server's record (null when the server has no such record)."
    )
    detail: str


class Rejected(BaseModel):
    status: Literal["rejected"]
    type: RecordType
    id: str
    problem: Problem


OperationResult = Annotated[Applied | Conflict | Rejected, Field(discriminator="status")]


class BatchReply(BaseModel):
    results: list[OperationResult] = Field(description="One result per operation, in order.")


class ChangesPage(BaseModel):
    changes: list[RecordEnvelope] = Field(description="Records and tombstones in version order.")
    next_cursor: str = Field(description="Pass as ?since= to get the next page.")
    has_more: bool = Field(description="true when more changes follow right away.")


class Health(BaseModel):
    status: Literal["ok"]
    api: str = Field(description="The protocol version of the paths, 'v1'.")
    server_version: str = Field(description="The registry software's version.")
    protocol: int = Field(
        description="The revision of protocol v1 this registry implements (a console warns "
        "when it is lower than it needs; docs/registry-protocol.md)."
    )


class Me(BaseModel):
    name: str
    role: Role


class TokenState(StrEnum):
    ACTIVE = "active"
    ROTATED = "rotated"
    EXPIRED = "expired"
    REVOKED = "revoked"


class TokenListing(BaseModel):
    """A token as ``GET /v1/tokens`` lists it: never its secret."""

    name: str
    role: Role
    state: TokenState = Field(
        description="active; rotated (replaced, valid until expires_at); expired; revoked."
    )
    created_at: str
    expires_at: str | None = Field(description="When it stops working; null: never.")
    last_used_at: str | None = Field(description="Its last request, to the minute; null: never.")
    revoked_at: str | None


class TokenList(BaseModel):
    tokens: list[TokenListing]


#: A token's name: printable, no '/', like the CLI accepts.
TOKEN_NAME_PATTERN = r"^[^\x00-\x20\x7f/]([^\x00-\x1f\x7f/]{0,98}[^\x00-\x20\x7f/])?$"


class NewToken(BaseModel):
    """``POST /v1/tokens``: a token to make."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=TOKEN_NAME_PATTERN, description="Who or what holds the token.")
    role: Role
    expires_in_days: Annotated[int, Field(ge=1, le=3650), BeforeValidator(_whole_number)] | None = (
        Field(None, description="Days until it stops working; omit (or null) for never.")
    )


class CreatedToken(BaseModel):
    name: str
    role: Role
    expires_at: str | None
    token: str = Field(description="The secret, shown this once: hand it to its holder.")
