"""``stewardship report MODEL --format md|html|pdf -o FILE``: a model's post-deployment report."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..services.models import ModelService
from ..services.report_render import FORMATS, build_document, write_text_report
from .common import EXIT_OK, CommandError, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="the model's slug, e.g. halcyon-1")
    parser.add_argument("--format", choices=FORMATS, required=True, help="md, html or pdf")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        required=True,
        help="the file to write (replaced if it exists)",
    )


def _ensure_gui_application() -> None:
    """QPdfWriter needs a QGuiApplication; headless, so offscreen unless a platform is set."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        # Kept on the module so it lives as long as the process.
        global _APP
        _APP = QGuiApplication(["stewardship"])


_APP: object | None = None


def run(args: argparse.Namespace) -> int:
    target: Path = args.output
    if target.is_dir():
        raise CommandError(f"{target} is a folder; give a file name with -o")
    ctx = open_context(args)
    try:
        model = ModelService(ctx.store, ctx.who).by_slug(args.model)
        if model is None or model.deleted:
            raise CommandError(f"no model with slug '{args.model}' in {ctx.data_dir}")
        doc = build_document(ctx.store, ctx.data_dir, model, ctx.today(), ctx.who)
        try:
            if args.format == "pdf":
                _ensure_gui_application()
                from ..ui.report_pdf import write_pdf

                write_pdf(doc, target)
            else:
                write_text_report(doc, args.format, target)
        except OSError as exc:
            raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        ctx.close()
    return EXIT_OK
