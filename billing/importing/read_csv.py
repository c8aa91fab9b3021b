"""CSV rows into raw invoices: one row per invoice line, the rows of one invoice consecutive and
agreeing on the invoice columns. Comma or semicolon separated, with a header row."""

import csv
import io
from collections import Counter

from django.utils.translation import gettext as _

from billing.importing.formats import (
    CSV_COLUMNS,
    CSV_REQUIRED,
    INVOICE_COLUMNS,
    LINE_COLUMNS,
    MAX_LINES,
)
from billing.importing.records import Problem, Raw
from billing.importing.values import tax_id_compact


def read_csv(text: str) -> tuple[list[Raw], list[Problem]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        invoices, problems = _read_rows(reader)
    except csv.Error as error:
        return [], [
            Problem(
                str(reader.line_num),
                "",
                _("The CSV cannot be read here: %(error)s.") % {"error": error},
            )
        ]
    # The CSV names the number column "invoice_number".
    for invoice in invoices:
        invoice.places = {"number": invoice.where}
    return invoices, problems


def _read_rows(reader) -> tuple[list[Raw], list[Problem]]:
    header = next(reader, None)
    if header is None:
        return [], [Problem("", "", _("The file is empty."))]
    columns = [name.strip().lower() for name in header]
    problems = _header_problems(columns)
    if problems:
        return [], problems
    grouped = _Grouped(problems)
    previous_end = reader.line_num
    count = 0
    for cells in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_LINES:
            return [], [
                Problem("", "", _("More than %(max)d lines: split the batch.") % {"max": MAX_LINES})
            ]
        if len(cells) != len(columns):
            problems.append(_width_problem(str(line), len(cells), len(columns)))
            continue
        grouped.add(
            str(line),
            {name: cell.strip() for name, cell in zip(columns, cells, strict=True) if name},
        )
    if not grouped.invoices and not problems:
        problems.append(Problem("", "", _("The file has a header but no rows.")))
    return grouped.invoices, problems


def _header_problems(columns: list[str]) -> list[Problem]:
    unknown = [name for name in columns if name and name not in CSV_COLUMNS]
    missing = sorted(CSV_REQUIRED - set(columns))
    repeated = sorted(name for name, count in Counter(columns).items() if name and count > 1)
    known = ", ".join(CSV_COLUMNS)
    return [
        *(
            Problem(
                "1", name, _("Unknown column. The columns are: %(columns)s.") % {"columns": known}
            )
            for name in unknown
        ),
        *(Problem("1", name, _("This column is missing from the header.")) for name in missing),
        *(Problem("1", name, _("This column appears twice in the header.")) for name in repeated),
    ]


def _width_problem(where: str, cells: int, columns: int) -> Problem:
    return Problem(
        where,
        "",
        _(
            "This row has %(cells)d cells and the header %(columns)d. A comma "
            "inside a value must be quoted; amounts use a decimal point "
            "(1234.56, not 1.234,56)."
        )
        % {"cells": cells, "columns": columns},
    )


class _Grouped:
    """Consecutive rows of one invoice (same tax id and number) make one raw invoice."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.invoices: list[Raw] = []
        self.ended: dict[tuple[str, str], int] = {}  # invoice key -> first line, once left behind
        self.current: Raw | None = None
        self.current_key: tuple[str, str] | None = None
        self.current_cells: dict[str, str] = {}

    def add(self, where: str, row: dict[str, str]) -> None:
        key = (tax_id_compact(row.get("customer_tax_id", "")), row.get("invoice_number", ""))
        invoice_cells = {name: row.get(name, "") for name in INVOICE_COLUMNS}
        if self.current is not None and key == self.current_key:
            self._agree(where, invoice_cells)
        else:
            self._start(where, key, invoice_cells)
        assert self.current is not None  # set by _start
        self.current.lines.append(
            Raw(where=where, values={name: row.get(name, "") for name in LINE_COLUMNS})
        )

    def _agree(self, where: str, invoice_cells: dict[str, str]) -> None:
        assert self.current is not None  # only called on the current invoice's rows
        for name in INVOICE_COLUMNS:
            if invoice_cells[name] != self.current_cells[name]:
                self.problems.append(
                    Problem(
                        where,
                        name,
                        _(
                            "“%(value)s” differs from line %(first)s (“%(other)s”): the "
                            "rows of one invoice must agree on the invoice columns."
                        )
                        % {
                            "value": invoice_cells[name],
                            "first": self.current.where,
                            "other": self.current_cells[name],
                        },
                    )
                )

    def _start(self, where: str, key: tuple[str, str], invoice_cells: dict[str, str]) -> None:
        if self.current is not None:
            assert self.current_key is not None  # set with self.current
            self.ended[self.current_key] = int(self.current.where)
        if key in self.ended and key[1]:
            self.problems.append(
                Problem(
                    where,
                    "invoice_number",
                    _(
                        "Invoice %(number)s already appeared from line %(first)d with "
                        "other rows in between: keep the rows of an invoice together, "
                        "or fix the repeated number."
                    )
                    % {"number": key[1], "first": self.ended[key]},
                )
            )
        values = {
            "customer_tax_id": invoice_cells["customer_tax_id"],
            "number": invoice_cells["invoice_number"],
            **{
                name: invoice_cells[name]
                for name in INVOICE_COLUMNS
                if name not in ("customer_tax_id", "invoice_number")
            },
        }
        self.current = Raw(where=where, values=values)
        self.current_key, self.current_cells = key, invoice_cells
        self.invoices.append(self.current)
