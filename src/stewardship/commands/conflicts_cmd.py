"""``stewardship conflicts``: list sync conflicts, or resolve one, without the window.

stewardship conflicts list [--format text|json]
stewardship conflicts resolve ID (--take mine|theirs | --set FIELD=VALUE ...)

ID is the record's id as ``list`` shows it (a unique prefix of at least 4
characters will do). After resolving, the next ``stewardship sync`` sends the
decision and everyone converges.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..domain.errors import ValidationError
from ..domain.records import RECORD_TYPES
from ..services.conflicts import ConflictGroup, conflict_groups, dismiss_rejection, resolve
from .common import EXIT_OK, CommandError, open_context

MIN_PREFIX = 4


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="conflicts_action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    listing = actions.add_parser("list", help="list the records with something to decide")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    fix = actions.add_parser("resolve", help="decide a record's conflicting fields")
    fix.add_argument("id", metavar="ID", help="the record's id (or a unique prefix)")
    how = fix.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--take",
        choices=["mine", "theirs"],
        help="keep this console's values, or the registry's, for every field in conflict",
    )
    how.add_argument(
        "--set",
        metavar="FIELD=VALUE",
        action="append",
        help="the value for a field in conflict (repeat for each; JSON for object fields)",
    )
    fix.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)


def _as_json(group: ConflictGroup) -> dict[str, Any]:
    return {
        "id": group.record_id,
        "type": group.record_type,
        "title": group.title,
        "fields": [
            {"field": c.field, "base": c.base, "mine": c.mine, "theirs": c.theirs}
            for c in group.fields
        ],
        "refused": [{"field": c.field, "detail": c.detail} for c in group.rejected],
    }


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _list(groups: list[ConflictGroup], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([_as_json(g) for g in groups], indent=2, ensure_ascii=False))
        return
    if not groups:
        print("No conflicts.")
        return
    for group in groups:
        print(f"{group.record_id}  {group.record_type}  {group.title}")
        for c in group.fields:
            print(
                f"    {c.field}: mine {_shown(c.mine)} | theirs {_shown(c.theirs)}"
                f" (was {_shown(c.base)})"
            )
        for c in group.rejected:
            print(f"    refused by the registry: {c.detail}")


def _find(groups: list[ConflictGroup], wanted: str) -> ConflictGroup:
    exact = [g for g in groups if g.record_id == wanted]
    if exact:
        return exact[0]
    if len(wanted) < MIN_PREFIX:
        raise CommandError(f"no conflict for a record '{wanted}' (give at least 4 characters)")
    found = [g for g in groups if g.record_id.startswith(wanted)]
    if not found:
        raise CommandError(f"no conflict for a record '{wanted}'; see 'stewardship conflicts list'")
    if len(found) > 1:
        raise CommandError(f"'{wanted}' names {len(found)} records; give more of the id")
    return found[0]


def _parse_sets(group: ConflictGroup, pairs: list[str]) -> dict[str, Any]:
    kinds = RECORD_TYPES[group.record_type].field_kinds()
    in_conflict = {c.field for c in group.fields}
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CommandError(f"--set {pair}: write it as FIELD=VALUE")
        if name not in in_conflict:
            fields = ", ".join(sorted(in_conflict))
            raise CommandError(f"--set {name}: not a field in conflict here (those are: {fields})")
        if kinds.get(name) == "json":
            try:
                values[name] = json.loads(raw) if raw.strip() else None
            except ValueError as exc:
                raise CommandError(f"--set {name}: not valid JSON ({exc})") from exc
        else:
            values[name] = raw
    missing = in_conflict - values.keys()
    if missing:
        raise CommandError(
            f"choose a value for every field in conflict: {', '.join(sorted(missing))}"
        )
    return values


def run(args: argparse.Namespace) -> int:
    ctx = open_context(args)
    try:
        groups = conflict_groups(ctx.store)
        if args.conflicts_action == "list":
            _list(groups, args.format)
            return EXIT_OK
        group = _find(groups, args.id.strip())
        if not group.fields:
            if args.take == "theirs":
                dismiss_rejection(ctx.store, group.record_type, group.record_id, ctx.who)
                print(
                    f"Dropped the refused change to {group.title}; the local copy stays as it is."
                )
                return EXIT_OK
            detail = "; ".join(c.detail for c in group.rejected)
            raise CommandError(
                f"the registry refused this change ({detail}): edit the record to fix it, or"
                " use --take theirs to drop the change"
            )
        if args.take:
            side = "mine" if args.take == "mine" else "theirs"
            values = {c.field: getattr(c, side) for c in group.fields}
        else:
            values = _parse_sets(group, args.set)
        try:
            resolve(ctx.store, group.record_type, group.record_id, values, ctx.who)
        except ValidationError as exc:
            raise CommandError(f"cannot resolve {group.title}: {exc}") from exc
        chosen = ", ".join(f"{k}={_shown(v)}" for k, v in values.items())
        print(f"Resolved {group.title}: {chosen}. The next sync sends it.")
        return EXIT_OK
    finally:
        ctx.close()
