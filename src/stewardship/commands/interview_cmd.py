"""``stewardship interview add MODEL --held-on YYYY-MM-DD [--transcript FILE] [--title TEXT]``.

Records an interview (labs run interviews by script and record them this
way) and prints its id. A transcript is copied into the data folder by its
SHA-256 and uploads with the next ``stewardship sync``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..domain.dates import parse_date
from ..domain.errors import ValidationError
from ..domain.records import Interview
from ..services.interviews import InterviewService, store_transcript
from ..services.models import ModelService
from .common import EXIT_OK, CommandError, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="interview_action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    add = actions.add_parser("add", help="record an interview with a model; prints its id")
    add.add_argument("model", metavar="MODEL", help="the model's slug, e.g. halcyon-1")
    add.add_argument("--held-on", required=True, metavar="YYYY-MM-DD", help="when it was held")
    add.add_argument("--transcript", type=Path, metavar="FILE", help="the transcript file")
    add.add_argument("--title", default="", metavar="TEXT", help="a title for the interview")
    add.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    try:
        held_on = parse_date(args.held_on, "held_on")
    except ValidationError as exc:
        raise CommandError(f"--held-on: {exc}") from exc
    if args.transcript is not None and not args.transcript.is_file():
        raise CommandError(f"--transcript: no such file: {args.transcript}")
    ctx = open_context(args)
    try:
        model = ModelService(ctx.store, ctx.who).by_slug(args.model)
        if model is None or model.deleted:
            raise CommandError(f"no model with slug '{args.model}' in {ctx.data_dir}")
        interview = Interview(model_id=model.id, held_on=held_on, title=args.title.strip())
        if args.transcript is not None:
            try:
                stored = store_transcript(ctx.store, ctx.data_dir, args.transcript)
            except ValidationError as exc:
                raise CommandError(str(exc)) from exc
            interview = interview.replace(
                transcript_name=stored.original_name, transcript_sha256=stored.sha256
            )
        try:
            saved = InterviewService(ctx.store, ctx.who, ctx.data_dir).save(interview)
        except ValidationError as exc:
            raise CommandError(str(exc)) from exc
    finally:
        ctx.close()
    print(saved.id)
    return EXIT_OK
