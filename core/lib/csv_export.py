"""CSV downloads: one streamed response shape for every export, and the defusing of cells that a
spreadsheet would otherwise run as formulas (CWE-1236).

A download streams (issue 15): the header leaves at once and the rows follow as the database
hands them over, so a long export neither holds the whole file in memory nor keeps the person
waiting for the first byte. The same pieces (`csv_chunks`) are what a background export writes
to its file, so both give the same bytes."""

import csv
import io
from collections.abc import Iterable, Iterator
from contextlib import ExitStack

from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django_scopes.state import get_scope

from core.scopes import scope

# A cell that a spreadsheet would run as a formula is written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DEFUSED = tuple("'" + start for start in _FORMULA_START)
BOM = "\ufeff"  # spreadsheets read the accents right with the BOM
CHUNK_ROWS = 250  # rows per piece sent: a few tens of kilobytes


def csv_cell_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_cell_restored(value: str) -> str:
    """The reverse of csv_cell_safe, for a file exported here and imported back."""
    return value[1:] if value.startswith(_DEFUSED) else value


def csv_chunks(
    header: list[str], rows: Iterable[Iterable], *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[str]:
    """The file as text: the BOM and the header first, then `chunk_rows` rows at a time.

    Every text cell is defused, whatever the caller did; numbers pass as they are, so a caller
    that wants "-12.50" written as a number passes a Decimal, not a string."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([csv_cell_safe(cell) if isinstance(cell, str) else cell for cell in row])
        pending += 1
        if pending == chunk_rows:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _in_request_context(chunks: Iterator[str]) -> Iterator[str]:
    """A streamed body is read after the view has returned, outside the customer scope that
    `member_required` opened and after the middleware may have switched the language and the
    timezone back: the rows are produced in the view's own scope, language and timezone."""
    state = dict(get_scope())
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def produce() -> Iterator[str]:
        with ExitStack() as stack:
            if state:
                stack.enter_context(scope(**state))
            stack.enter_context(translation.override(language))
            stack.enter_context(timezone.override(zone))
            yield from chunks

    return produce()


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """A streamed download of `header` and `rows`, never cached (the rows are one customer's
    data). `rows` is read while the response is sent: pass a generator over a queryset's
    `iterator()` or `values_list()`, never a list built beforehand."""
    response = StreamingHttpResponse(
        _in_request_context(csv_chunks(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
