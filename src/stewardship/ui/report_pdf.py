"""Report export to a file: Markdown and HTML from the service, PDF (PDF/A-1b) drawn by Qt.

The PDF is what a lab archives, so it is laid out for print rather than
printed from the HTML as is: the report's HTML is laid out by QTextDocument
on the PDF writer itself (fonts measured at its resolution), lines wrap only
between words, a heading never ends a page (it moves to the next page with
what follows it), and every page carries a running header (the model and the
report's status) and a "page N of M" footer with the generation date and the
console's version.

Safe to call from a worker thread (QTextDocument, QPdfWriter and QPainter on
a QPdfWriter are reentrant; each call builds its own). A QGuiApplication must
exist: the window has one, the ``report`` command creates an offscreen one.
The file is written beside the target and moved into place, so a failed
export never leaves half a file.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextLength,
    QTextOption,
    QTextTable,
    QTextTableCell,
)

from ..services.files import publish
from ..services.report_render import ReportDocument, render_html, temp_beside, write_text_report

PDF_RESOLUTION = 300
FONT_FAMILY = "DejaVu Sans"  # the .deb depends on fonts-dejavu-core; elsewhere a fallback; embedded
MONO_FAMILY = "DejaVu Sans Mono"
MARGIN_MM = 18.0
#: A heading keeps at least this many lines of what follows on its page.
KEEP_LINES = 2
_GREY = QColor("#5f6b7a")


def write_pdf(doc: ReportDocument, target: Path) -> None:
    """Write ``doc`` to ``target`` as an A4 PDF/A-1b with title, author and subject."""
    target = Path(target)
    tmp = temp_beside(target)
    try:
        for _attempt in range(3):
            when = datetime.now().astimezone().replace(microsecond=0)
            _draw(doc, tmp, when)
            # Qt stamps the information dictionary itself; the XMP packet must agree
            # (PDF/A). Drawn again in the rare case a second ticked over in between.
            if _info_date(tmp) == when.strftime("%Y%m%d%H%M%S"):
                break
        if tmp.stat().st_size == 0:
            raise OSError(f"Qt wrote an empty PDF for {target}")
        publish(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_report(doc: ReportDocument, fmt: str, target: Path) -> Path:
    """Write ``doc`` as ``fmt`` (md, html or pdf) to ``target``; returns the path written."""
    target = Path(target)
    if fmt == "pdf":
        write_pdf(doc, target)
        return target
    return write_text_report(doc, fmt, target)


def _writer(doc: ReportDocument, path: Path) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setPdfVersion(QPagedPaintDevice.PdfVersion.PdfVersion_A1b)
    writer.setTitle(doc.title)
    writer.setAuthor(doc.author)
    writer.setCreator(doc.generator)
    writer.setResolution(PDF_RESOLUTION)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer


def xmp_metadata(doc: ReportDocument, when: datetime) -> bytes:
    """The document's XMP packet: what Qt writes for PDF/A-1b, plus the subject.

    QPdfWriter (Qt 6.11) sets title, author and creator but has no subject;
    the subject lives in XMP as ``dc:description``. Qt then writes this packet
    instead of its own, so it repeats everything Qt's has, with the same
    values as the document information dictionary (PDF/A requires that).
    """
    stamp = when.isoformat(timespec="seconds")  # local time with its offset, as Qt's

    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    author = f"<rdf:Seq><rdf:li>{escape(doc.author)}</rdf:li></rdf:Seq>"
    return (
        "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>"
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{alt(doc.title)}</dc:title>"
        f"<dc:creator>{author}</dc:creator>"
        f"<dc:description>{alt(doc.subject)}</dc:description>"
        "</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        f' pdf:Producer="Qt {escape(_qt_version())}" pdf:Trapped="False"/>'
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        f' xmp:CreatorTool="{escape(doc.generator)}" xmp:CreateDate="{stamp}"'
        f' xmp:ModifyDate="{stamp}" xmp:MetadataDate="{stamp}"/>'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' pdfaid:part="1" pdfaid:conformance="B"/>'
        "</rdf:RDF></x:xmpmeta>"
        "<?xpacket end='w'?>"
    ).encode()


def _qt_version() -> str:
    from PySide6.QtCore import qVersion

    return qVersion()


def _font(family: str, points: int) -> QFont:
    """A font without ligatures, so the text copied or searched in the PDF is what was typed."""
    font = QFont(family, points)
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _layout_document(doc: ReportDocument, writer: QPdfWriter, body: QSizeF) -> QTextDocument:
    text = QTextDocument()
    text.documentLayout().setPaintDevice(writer)
    text.setDefaultFont(_font(FONT_FAMILY, 10))
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)  # never inside a word
    text.setDefaultTextOption(option)
    text.setDocumentMargin(0)
    text.setDefaultStyleSheet(f"code {{ font-family: '{MONO_FAMILY}'; }}")
    text.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, doc.title)
    text.setHtml(render_html(doc, for_print=True))
    for table in _tables(text):
        _size_columns(table, writer, body.width())
    text.setPageSize(body)  # after the tables' formats: a full layout, not an incremental one
    _keep_headings_with_next(text, body.height())
    return text


def _tables(text: QTextDocument) -> list[QTextTable]:
    return [f for f in text.rootFrame().childFrames() if isinstance(f, QTextTable)]


def _cell_widths(cell: QTextTableCell, device: QPdfWriter) -> tuple[float, float]:
    """(narrowest, widest) width the cell's text can take: its longest word, its longest line."""
    narrowest = widest = 0.0
    block = cell.firstCursorPosition().block()
    end = cell.lastCursorPosition().block()
    while block.isValid():
        fmt = block.charFormat()
        it = block.begin()
        if not it.atEnd():
            fmt = it.fragment().charFormat()
        metrics = QFontMetricsF(fmt.font(), device)
        nowrap = block.blockFormat().nonBreakableLines()
        for line in block.text().split("\u2028"):
            full = metrics.horizontalAdvance(line)
            widest = max(widest, full)
            words = [line] if nowrap else line.split()
            narrowest = max([narrowest, *(metrics.horizontalAdvance(w) for w in words)])
        if block == end:
            break
        block = block.next()
    return narrowest, widest


def _size_columns(table: QTextTable, device: QPdfWriter, width: float) -> None:
    """Full text width; each column as wide as its longest word at least, the rest by content.

    Qt's own layout gives every column an equal share of the room left over,
    so a column of short words grows as wide as the one holding the request
    text. Here the room beyond the longest words goes to the columns whose
    text would still wrap, in proportion to how much longer it is.
    """
    fmt = table.format()
    columns = table.columns()
    padding = 2 * (fmt.cellPadding() * device.logicalDpiX() / 96 + 2 * fmt.border())
    low = [0.0] * columns
    high = [0.0] * columns
    for row in range(table.rows()):
        for col in range(columns):
            narrowest, widest = _cell_widths(table.cellAt(row, col), device)
            low[col] = max(low[col], narrowest + padding)
            high[col] = max(high[col], widest + padding)
    room = width - (columns + 1) * fmt.cellSpacing()
    if sum(high) <= room:
        widths = [h + (room - sum(high)) * h / sum(high) for h in high]
    elif sum(low) < room:
        extra = [h - lo for lo, h in zip(low, high, strict=True)]
        widths = [lo + (room - sum(low)) * e / sum(extra) for lo, e in zip(low, extra, strict=True)]
    else:
        widths = low  # longer words than the page is wide: they overflow, never break
    fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    fmt.setLeftMargin(0)
    fmt.setRightMargin(0)
    fmt.setHeaderRowCount(fmt.headerRowCount())
    fmt.setColumnWidthConstraints(
        [QTextLength(QTextLength.Type.PercentageLength, 100 * w / room) for w in widths]
    )
    table.setFormat(fmt)


def _blocks(text: QTextDocument) -> list[QTextBlock]:
    found = []
    block = text.begin()
    while block.isValid():
        found.append(block)
        block = block.next()
    return found


def _line_page(
    layout: QAbstractTextDocumentLayout, block: QTextBlock, line: int, page: float
) -> int:
    top = layout.blockBoundingRect(block).top()
    lines = block.layout()
    if lines.lineCount():
        line = min(line, lines.lineCount() - 1)
        return int((top + lines.lineAt(line).rect().bottom()) // page)
    return int(top // page)


def _keep_headings_with_next(text: QTextDocument, page_height: float) -> None:
    """Move a heading that would end a page to the next one, with what follows it."""
    layout = text.documentLayout()
    for _ in range(50):  # each pass moves one heading; a report has a handful
        moved = False
        blocks = _blocks(text)
        for index, block in enumerate(blocks[:-1]):
            fmt = block.blockFormat()
            if (
                not fmt.headingLevel()
                or fmt.pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
            ):
                continue
            following = blocks[index + 1]
            first = _line_page(layout, block, 0, page_height)
            last = _line_page(layout, following, KEEP_LINES - 1, page_height)
            if first != last and block.blockNumber() != 0:
                moved_fmt = QTextBlockFormat()
                moved_fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).mergeBlockFormat(moved_fmt)
                moved = True
                break
        if not moved:
            return
        text.markContentsDirty(0, text.characterCount())  # lay everything out again


def _info_date(path: Path) -> str:
    """The CreationDate Qt wrote into the PDF's information dictionary, as digits."""
    found = re.search(rb"/CreationDate \(D:(\d{14})", path.read_bytes())
    return found.group(1).decode() if found else ""


def _draw(doc: ReportDocument, path: Path, when: datetime) -> None:
    writer = _writer(doc, path)
    dpi = writer.resolution()
    page = QRectF(writer.pageLayout().paintRectPixels(dpi)).translated(
        -writer.pageLayout().paintRectPixels(dpi).topLeft().toPointF()
    )
    small = _font(FONT_FAMILY, 8)
    band = QFontMetricsF(small, writer).height() * 2.2  # header and footer bands
    body = QRectF(page.left(), page.top() + band, page.width(), page.height() - 2 * band)
    text = _layout_document(doc, writer, body.size())
    pages = text.pageCount()

    writer.setDocumentXmpMetadata(xmp_metadata(doc, when))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write the PDF to {path}")
    try:
        for number in range(pages):
            if number:
                writer.newPage()
            _draw_bands(painter, doc, page, band, small, number + 1, pages)
            painter.save()
            painter.translate(body.topLeft())
            clip = QRectF(0, number * body.height(), body.width(), body.height())
            painter.translate(QPointF(0, -clip.top()))
            painter.setClipRect(clip)
            context = QAbstractTextDocumentLayout.PaintContext()
            # Qt skips the lines outside this rectangle; a line moved to the next page
            # starts exactly at this page's foot, so the rectangle stops just short of it
            # (otherwise its clipped-away text would be in the PDF twice).
            context.clip = clip.adjusted(0, 0, 0, -1)
            text.documentLayout().draw(painter, context)
            painter.restore()
    finally:
        painter.end()


def _draw_bands(
    painter: QPainter,
    doc: ReportDocument,
    page: QRectF,
    band: float,
    font: QFont,
    number: int,
    pages: int,
) -> None:
    painter.save()
    painter.setFont(font)
    painter.setPen(QPen(_GREY))
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    top = QRectF(page.left(), page.top(), page.width(), band * 0.7)
    painter.drawText(top, left, f"{doc.model.display_name} ({doc.model.slug})")
    painter.drawText(top, right, f"Report status: {doc.status_text}")
    bottom = QRectF(page.left(), page.bottom() - band * 0.7, page.width(), band * 0.7)
    painter.drawText(bottom, left, f"Generated {doc.generated_on.isoformat()} by {doc.generator}")
    painter.drawText(bottom, right, f"Page {number} of {pages}")
    rule = QPen(QColor("#c5cdd6"))
    rule.setWidthF(max(1.0, band / 40))
    painter.setPen(rule)
    painter.drawLine(QPointF(page.left(), top.bottom()), QPointF(page.right(), top.bottom()))
    painter.drawLine(QPointF(page.left(), bottom.top()), QPointF(page.right(), bottom.top()))
    painter.restore()
