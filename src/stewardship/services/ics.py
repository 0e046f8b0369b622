"""An iCalendar (RFC 5545) file of retirement dates and checklist due dates.

Written by hand (the format is small) rather than with a runtime dependency:
CRLF line ends, lines folded at 75 octets without splitting a UTF-8
character, TEXT values escaped (backslash, semicolon, comma, newline),
all-day events (``VALUE=DATE``), and UIDs derived from record ids so that a
calendar re-importing the file updates its events instead of duplicating
them. ``DTSTAMP`` and ``LAST-MODIFIED`` are the last change of the records an
event is drawn from (a due date's item and its model), so an unchanged store
exports byte for byte the same file.

``SEQUENCE`` must grow whenever an event changes, or a calendar keeps the copy
it imported first. It is that same last change, in seconds since 2020-01-01
UTC: it grows with every edit, made here or pulled from the registry, and two
laptops holding the same records write the same number (``modified_at``
travels with the record). The registry's ``version`` would not do: an edit
not yet pushed keeps the old one, and a console that never syncs has 0
forever. The one case it cannot order is an edit made on a laptop whose clock
runs behind the one that made the previous edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ..domain.lifecycle import RETIRED_STATES
from ..domain.records import ChecklistItem, ItemStatus, Model, label
from ..store import Store

PRODID = "-//Stewardship Console//Retirements and due dates//EN"
UID_DOMAIN = "stewardship-console"
_LIMIT = 75  # octets per line, CRLF excluded (RFC 5545 section 3.1)
_CLOSED = {ItemStatus.DONE.value, ItemStatus.NOT_APPLICABLE.value}


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets; continuation lines start with a space."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > _LIMIT:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)


_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def _moment(modified_at: str, fallback: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(modified_at.replace("Z", "+00:00"))
    except ValueError:
        moment = fallback
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Stamp:
    """When an event last changed: the latest change of the records it is drawn from."""

    moment: datetime

    @classmethod
    def of(cls, fallback: datetime, *modified_at: str) -> Stamp:
        return cls(max(_moment(m, fallback) for m in modified_at))

    @property
    def text(self) -> str:
        return self.moment.strftime("%Y%m%dT%H%M%SZ")

    @property
    def sequence(self) -> int:
        return max(0, int((self.moment - _SEQUENCE_EPOCH).total_seconds()))


def _event(
    uid: str,
    day: date,
    summary: str,
    description: str,
    status: str,
    category: str,
    stamp: Stamp,
) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp.text}",
        f"LAST-MODIFIED:{stamp.text}",
        f"SEQUENCE:{stamp.sequence}",
        f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"CATEGORIES:{escape_text(category)}",
        f"STATUS:{status}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _retirement(model: Model, stamp: Stamp) -> tuple[date, list[str]] | None:
    retired = model.lifecycle in RETIRED_STATES
    day = (model.retired_on if retired else None) or model.retirement_on
    tentative = day is None and model.retirement_not_before is not None
    day = day or model.retirement_not_before
    if day is None:
        return None
    what = "Retirement not before" if tentative else "Retirement"
    lines = [
        f"Model: {model.display_name} ({model.slug})",
        f"Provider: {model.provider}",
        f"Lifecycle: {model.lifecycle.label}",
    ]
    if model.replacement:
        lines.append(f"Replacement: {model.replacement}")
    if model.notes:
        lines.append(model.notes)
    return day, _event(
        f"{model.id}-retirement@{UID_DOMAIN}",
        day,
        f"{what}: {model.display_name}",
        "\n".join(lines),
        "TENTATIVE" if tentative else "CONFIRMED",
        "Retirement",
        stamp,
    )


def _due(item: ChecklistItem, model: Model, stamp: Stamp) -> tuple[date, list[str]] | None:
    if item.due_date is None:
        return None
    lines = [
        f"Model: {model.display_name} ({model.slug})",
        f"Checklist: {label(item.checklist)}",
        f"Status: {label(item.status)}",
    ]
    if item.owner:
        lines.append(f"Owner: {item.owner}")
    # A closed item stays in the file as CANCELLED, so a calendar that
    # imported it while open updates it rather than keeping a stale reminder.
    status = "CANCELLED" if item.status in _CLOSED else "CONFIRMED"
    return item.due_date, _event(
        f"{item.id}-due@{UID_DOMAIN}",
        item.due_date,
        f"Due: {item.title} ({model.display_name})",
        "\n".join(lines),
        status,
        "Checklist",
        stamp,
    )


def build_calendar(store: Store, *, now: Callable[[], datetime] | None = None) -> tuple[str, int]:
    """The calendar text (CRLF, folded) and the number of events in it."""
    fallback = (now or (lambda: datetime.now(UTC)))()
    models = {m.id: m for m in store.list(Model)}
    events: list[tuple[date, str, list[str]]] = []
    for model in models.values():
        found = _retirement(model, Stamp.of(fallback, model.modified_at))
        if found:
            events.append((found[0], found[1][1], found[1]))
    for item in store.list(ChecklistItem):
        owner = models.get(item.model_id)
        # The event shows the model's name too: a renamed model changes its due dates' events.
        stamp = Stamp.of(fallback, item.modified_at, owner.modified_at) if owner else None
        found = _due(item, owner, stamp) if owner and stamp else None
        if found:
            events.append((found[0], found[1][1], found[1]))
    events.sort(key=lambda e: (e[0], e[1]))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Stewardship Console",
    ]
    for _, _, body in events:
        lines.extend(body)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines), len(events)
