"""``stewardship weights``: archive copies of a model's weights, verified against its manifest.

For cron on a machine that can reach the archives::

    stewardship weights add-copy MODEL URI [--label L] [--manifest SHA256SUMS]
    stewardship weights verify MODEL|--all [--copy URI]
    stewardship weights status [--format text|json]

``verify`` prints one line per problem, naming the copy and the file, and one
summary line per copy; it exits 0 when every copy verifies, 6 when any file is
missing or differs. A copy that cannot be reached at all (folder not mounted,
no credentials) is one line on stderr and records nothing; with no file
problem found elsewhere the exit code is then 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..app import AppContext
from ..domain.errors import ValidationError
from ..domain.records import Model
from ..domain.weights import ArchiveCopy, size_text
from ..services.models import ModelService
from ..services.weights import CopyUnreachable, WeightsService
from .common import EXIT_OK, EXIT_USAGE, CommandError, open_context

#: A verification found missing or differing files.
EXIT_VERIFY_FAILED = 6


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="weights_action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    add = actions.add_parser("add-copy", help="record an archive copy of a model's weights")
    add.add_argument("model", metavar="MODEL", help="the model's slug, e.g. halcyon-1")
    add.add_argument("uri", metavar="URI", help="file:///path/to/folder or s3://bucket/prefix")
    add.add_argument("--label", default="", metavar="L", help="a name for the copy")
    add.add_argument(
        "--manifest",
        type=Path,
        metavar="SHA256SUMS",
        help="record the model's manifest from this sha256sum output (once per model)",
    )
    verify = actions.add_parser(
        "verify", help="check copies against the manifest (exit 6 if a file is missing or differs)"
    )
    verify.add_argument("model", metavar="MODEL", nargs="?", help="the model's slug")
    verify.add_argument("--all", action="store_true", help="every copy of every model")
    verify.add_argument("--copy", metavar="URI", help="only this copy of MODEL")
    status = actions.add_parser("status", help="every copy, its last verification, when due")
    status.add_argument("--format", choices=("text", "json"), default="text")
    for sub in (add, verify, status):
        sub.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)


def _service(ctx: AppContext) -> WeightsService:
    every = ctx.settings.verify_every_days.value if ctx.settings else 365
    return WeightsService(ctx.store, ctx.who, verify_every_days=every)


def _model(ctx: AppContext, slug: str) -> Model:
    model = ModelService(ctx.store, ctx.who).by_slug(slug)
    if model is None or model.deleted:
        raise CommandError(f"no model with slug '{slug}' in {ctx.data_dir}")
    return model


def run(args: argparse.Namespace) -> int:
    if args.weights_action == "verify":
        if bool(args.all) == bool(args.model):
            raise CommandError("name one MODEL, or --all for every model's copies")
        if args.all and args.copy:
            raise CommandError("--copy names one copy of MODEL; it does not go with --all")
    manifest = getattr(args, "manifest", None)
    if args.weights_action == "add-copy" and manifest is not None and not manifest.is_file():
        raise CommandError(f"--manifest: no such file: {args.manifest}")
    ctx = open_context(args)
    try:
        return {"add-copy": _add_copy, "verify": _verify, "status": _status}[args.weights_action](
            ctx, args
        )
    finally:
        ctx.close()


def _add_copy(ctx: AppContext, args: argparse.Namespace) -> int:
    model = _model(ctx, args.model)
    service = _service(ctx)
    text = None
    if args.manifest is not None:
        try:
            text = args.manifest.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"--manifest: cannot read {args.manifest}: {exc}") from exc
    try:
        with ctx.store.transaction():  # the copy and its manifest, or neither
            copy = service.add_copy(model, args.uri, label=args.label)
            manifest = (
                service.import_manifest(model, text, args.manifest.name)
                if text is not None
                else None
            )
    except ValidationError as exc:
        raise CommandError(str(exc)) from exc
    where = ", ".join(p for p in (copy.provider, copy.region) if p) or "provider unknown"
    print(f"{model.slug}: copy {copy.uri} recorded ({where})")
    if manifest is not None:
        print(f"{model.slug}: manifest of {manifest.file_count} files, SHA-256 {manifest.sha256}")
    return EXIT_OK


def _verify(ctx: AppContext, args: argparse.Namespace) -> int:
    service = _service(ctx)
    targets: list[tuple[Model, ArchiveCopy]] = []
    if args.all:
        models = {m.id: m for m in ctx.store.list(Model)}
        for model in sorted(models.values(), key=lambda m: m.slug):
            targets += [(model, c) for c in service.copies(model.id)]
    else:
        model = _model(ctx, args.model)
        copies = service.copies(model.id)
        if args.copy:
            copy = service.copy_by_uri(model.id, args.copy)
            if copy is None:
                known = ", ".join(c.uri for c in copies) or "none"
                raise CommandError(f"{model.slug} has no copy {args.copy} (its copies: {known})")
            copies = [copy]
        if not copies:
            raise CommandError(f"{model.slug} has no archive copies; add one with add-copy")
        targets = [(model, c) for c in copies]
    failed = refused = False
    for model, copy in targets:
        try:
            result = service.verify(copy)
        except CopyUnreachable as exc:
            print(f"stewardship: error: {model.slug}: {exc}", file=sys.stderr)
            refused = True
            continue
        except ValidationError as exc:
            print(f"stewardship: error: {model.slug}: {exc}", file=sys.stderr)
            refused = True
            continue
        for line in result.lines():
            print(line)
        record = result.record
        failed |= not record.passed
        extra = f", {record.extra_total} extra" if record.extra_total else ""
        print(
            f"{model.slug}: {copy.uri}: {record.outcome}: {record.files_checked} files,"
            f" {record.failures_total} missing or differing{extra},"
            f" {size_text(record.bytes_read)} read"
        )
    if failed:
        return EXIT_VERIFY_FAILED
    return EXIT_USAGE if refused else EXIT_OK


def _status(ctx: AppContext, args: argparse.Namespace) -> int:
    status = _service(ctx).status(ctx.today())
    if args.format == "json":
        print(json.dumps({"models": status}, indent=2))
        return EXIT_OK
    if not status:
        print("No archive copies recorded.")
    for entry in status:
        manifest = entry["manifest"]
        files = f"manifest of {manifest['files']} files" if manifest else "no manifest"
        independent = (
            "two independent copies"
            if entry["independent_copies"]
            else ("no two independent copies")
        )
        print(f"{entry['model']}: {files}, {independent}")
        for copy in entry["copies"]:
            last = copy["last_verified_at"][:10] or "never"
            due = copy["next_due"] or "-"
            mark = "!" if copy["alert"] else " "
            print(
                f" {mark} {copy['uri']}  {copy['state']}  last {last}  due {due}"
                + (f"  ({copy['label']})" if copy["label"] else "")
            )
    return EXIT_OK
