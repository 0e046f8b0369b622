"""``stewardship interview add MODEL --held-on YYYY-MM-DD [--title TEXT] [--transcript FILE]
[--protocol ID[@VERSION] --answers FILE.json]``.

Records an interview (labs run interviews by script and record them this
way) and prints its id. A transcript is copied into the data folder by its
SHA-256 and uploads with the next ``stewardship sync``. With a protocol, the
answers file is a JSON object of question id to the answer's text; a
question id the protocol does not have refuses the whole command (exit 2,
naming them), and nothing is recorded.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..domain.dates import parse_date
from ..domain.errors import ValidationError
from ..domain.protocols import InterviewProtocol
from ..domain.records import Interview
from ..services.interview_answers import AnswerService
from ..services.interviews import InterviewService, store_transcript
from ..services.models import ModelService
from ..services.protocols import load_protocols
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
    add.add_argument(
        "--protocol", metavar="ID[@VERSION]", help="the interview protocol it followed"
    )
    add.add_argument(
        "--answers",
        type=Path,
        metavar="FILE",
        help="a JSON object of question id to answer text (with --protocol)",
    )
    add.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    try:
        held_on = parse_date(args.held_on, "held_on")
    except ValidationError as exc:
        raise CommandError(f"--held-on: {exc}") from exc
    if args.transcript is not None and not args.transcript.is_file():
        raise CommandError(f"--transcript: no such file: {args.transcript}")
    protocol, answers = _protocol_and_answers(args)
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
        if protocol is not None:
            interview = interview.replace(protocol_version=protocol.ref)
        try:
            with ctx.store.transaction():
                saved = InterviewService(ctx.store, ctx.who, ctx.data_dir).save(interview)
                if protocol is not None:
                    AnswerService(ctx.store, ctx.who).save_answers(
                        saved, protocol, answers, note="stewardship interview add"
                    )
        except ValidationError as exc:
            raise CommandError(str(exc)) from exc
    finally:
        ctx.close()
    print(saved.id)
    return EXIT_OK


def _protocol_and_answers(
    args: argparse.Namespace,
) -> tuple[InterviewProtocol | None, dict[str, str]]:
    """The protocol and the answers file, checked before anything is recorded."""
    if args.answers is not None and args.protocol is None:
        raise CommandError("--answers needs --protocol ID[@VERSION]: the questions it answers")
    if args.protocol is None:
        return None, {}
    library = load_protocols()
    try:
        protocol = library.resolve(args.protocol)
    except ValueError as exc:
        problems = "".join(f"; {e}" for e in library.errors)
        raise CommandError(f"--protocol: {exc}{problems}") from exc
    if args.answers is None:
        return protocol, {}
    try:
        data = json.loads(args.answers.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"--answers: no such file: {args.answers}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"--answers: cannot read {args.answers}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"--answers: {args.answers} is not JSON: {exc.msg} at line {exc.lineno}"
        ) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise CommandError(
            f"--answers: {args.answers} must be a JSON object of question id to answer text"
        )
    unknown = sorted(k for k in data if protocol.question(k) is None)
    if unknown:
        raise CommandError(
            f"--answers: not questions of {protocol.ref}: {', '.join(unknown)}"
            f" (see: stewardship protocol show {protocol.ref})"
        )
    return protocol, data
