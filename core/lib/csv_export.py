"""CSV downloads: one response shape for every export, and the defusing of cells that a
spreadsheet would otherwise run as formulas (CWE-1236)."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# A cell that a spreadsheet would run as a formula is written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DEFUSED = tuple("'" + start for start in _FORMULA_START)


def csv_cell_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_cell_restored(value: str) -> str:
    """The reverse of csv_cell_safe, for a file exported here and imported back."""
    return value[1:] if value.startswith(_DEFUSED) else value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    """A download of `header` and `rows`, never cached (the rows are one customer's data).

    Every text cell is defused, whatever the caller did; numbers pass as they are, so a caller
    that wants "-12.50" written as a number passes a Decimal, not a string."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # spreadsheets read the accents right with the BOM
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell_safe(cell) if isinstance(cell, str) else cell for cell in row])
    return response
