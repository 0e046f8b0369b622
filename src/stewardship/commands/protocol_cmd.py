"""``stewardship protocol list | show ID[@VERSION] [--format md] | answers PROTOCOL QUESTION_ID``.

``list`` names every interview protocol this console knows (packaged and the
organisation's), ``show`` prints one as the interviewer's script, ``answers``
lists every model's answer to one question, by retirement date, across the
protocol's versions that kept the question's id. A protocol file that cannot
be read is named, with its line, on stderr.
"""

from __future__ import annotations

import argparse
import sys

from ..domain.protocols import script_markdown
from ..services.interview_answers import compare_answers, comparison_csv, comparison_markdown
from ..services.protocols import ProtocolLibrary, load_protocols
from .common import EXIT_OK, CommandError, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="protocol_action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    listing = actions.add_parser("list", help="the interview protocols and their versions")
    listing.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    show = actions.add_parser("show", help="a protocol as the interviewer's script")
    show.add_argument(
        "ref", metavar="ID[@VERSION]", help="e.g. post-deployment or post-deployment@1"
    )
    show.add_argument("--format", choices=["md"], default="md", help="md (the only format)")
    show.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    answers = actions.add_parser(
        "answers", help="every model's answer to one question, by retirement date"
    )
    answers.add_argument("protocol", metavar="PROTOCOL", help="the protocol's id")
    answers.add_argument("question", metavar="QUESTION_ID", help="the question's id")
    answers.add_argument("--format", choices=["md", "csv"], default="md", help="md or csv")
    answers.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)


def _library() -> ProtocolLibrary:
    library = load_protocols()
    for error in library.errors:
        print(f"stewardship: warning: {error}", file=sys.stderr)
    return library


def run(args: argparse.Namespace) -> int:
    library = _library()
    if args.protocol_action == "list":
        for p in library.protocols:
            count = len(p.questions())
            print(f"{p.ref}\t{p.title}\t{count} questions\t{p.source}")
        return EXIT_OK
    if args.protocol_action == "show":
        try:
            protocol = library.resolve(args.ref)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        sys.stdout.write(script_markdown(protocol))
        return EXIT_OK
    versions = library.versions(args.protocol)
    question = next(
        (q for p in reversed(versions) if (q := p.question(args.question)) is not None), None
    )
    if versions and question is None:
        raise CommandError(
            f"protocol '{args.protocol}' has no question '{args.question}' in any version"
        )
    ctx = open_context(args)
    try:
        rows = compare_answers(ctx.store, args.protocol, args.question)
    finally:
        ctx.close()
    if not versions and not rows:
        raise CommandError(f"no interview protocol '{args.protocol}' and no answers to it")
    if args.format == "csv":
        sys.stdout.write(comparison_csv(rows))
    else:
        sys.stdout.write(comparison_markdown(rows, args.protocol, question, args.question))
    return EXIT_OK
