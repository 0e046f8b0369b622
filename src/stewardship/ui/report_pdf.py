"""Report export to a file: Markdown and HTML from the service, PDF through Qt's own writer.

Safe to call from a worker thread (QTextDocument and QPdfWriter are
reentrant; each call builds its own). A QGuiApplication must exist: the
window has one, the ``report`` command creates an offscreen one.
The file is written beside the target and moved into place, so a failed
export never leaves half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from .. import __version__
from ..services.report_render import ReportDocument, render_html, temp_beside, write_text_report

PDF_RESOLUTION = 300


def write_pdf(doc: ReportDocument, target: Path) -> None:
    """Draw the report's HTML onto A4 pages, with the title in the PDF metadata."""
    text = QTextDocument()
    text.setDefaultFont(QFont("Sans Serif", 10))
    text.setDocumentMargin(0)
    text.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, doc.title)
    text.setHtml(render_html(doc))
    tmp = temp_beside(target)
    try:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(doc.title)
        writer.setCreator(f"Stewardship Console {__version__}")
        writer.setResolution(PDF_RESOLUTION)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(18, 18, 18, 18),
                QPageLayout.Unit.Millimeter,
            )
        )
        text.print_(writer)
        del writer  # flushes and closes the file
        if tmp.stat().st_size == 0:
            raise OSError(f"Qt wrote an empty PDF for {target}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_report(doc: ReportDocument, fmt: str, target: Path) -> Path:
    """Write ``doc`` as ``fmt`` (md, html or pdf) to ``target``; returns the path written."""
    target = Path(target)
    if fmt == "pdf":
        write_pdf(doc, target)
        return target
    return write_text_report(doc, fmt, target)
