"""Batch import of invoices from the provider's billing system (R-TEAM-5): a CSV or JSON file is
parsed and checked whole; one bad row rejects the batch, nothing is written, and the report
names every problem (CSV line or JSON path, field, message). A good batch is written in one
transaction with source "import:<file name>".

CSV (UTF-8, a BOM is fine; comma or semicolon separated; header row; one row per invoice LINE):
    customer_tax_id, invoice_number, period (YYYY-MM), issued_on (YYYY-MM-DD), due_on, currency,
    tax, status (optional: issued, paid or overdue; default issued), paid_on (paid invoices),
    service_id (optional), description, quantity (optional, default 1), amount,
    total (optional; when given it must equal the sum of the amounts plus the tax).
    Rows of one invoice are consecutive and agree on the invoice columns. Amounts use a decimal
    point and no thousands separators: 1234.56.

JSON: a list of invoices
    [{"customer_tax_id", "number", "period", "issued_on", "due_on", "currency", "tax",
      "status"?, "paid_on"?, "total"?, "lines": [{"service_id"?, "description", "quantity"?,
      "amount"}]}]

The customer is found by its tax id compared without '.', '-', '/' and spaces.
"""

import csv
import io
import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import filetype
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Replace, Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import rules
from billing.models import BillingDataChange, Currency, Invoice, InvoiceLine
from core.errors import DomainError
from core.lib.uploads import pdf_complete
from core.models import Customer, Service

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 20_000
# Used in the customer's URLs: letters, digits, '-', '_' and '.', starting with a letter or digit.
NUMBER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
NUMBER_MAX = Invoice._meta.get_field("number").max_length
DESCRIPTION_MAX = InvoiceLine._meta.get_field("description").max_length
IMPORT_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PAID, Invoice.Status.OVERDUE)

INVOICE_COLUMNS = [
    "customer_tax_id",
    "invoice_number",
    "period",
    "issued_on",
    "due_on",
    "currency",
    "tax",
    "status",
    "paid_on",
    "total",
]
LINE_COLUMNS = ["service_id", "description", "quantity", "amount"]
CSV_COLUMNS = INVOICE_COLUMNS + LINE_COLUMNS
CSV_REQUIRED = {
    "customer_tax_id",
    "invoice_number",
    "period",
    "issued_on",
    "due_on",
    "currency",
    "tax",
    "description",
    "amount",
}
JSON_INVOICE_KEYS = {
    "customer_tax_id",
    "number",
    "period",
    "issued_on",
    "due_on",
    "currency",
    "tax",
    "status",
    "paid_on",
    "total",
    "lines",
}
JSON_LINE_KEYS = {"service_id", "description", "quantity", "amount"}

CSV_EXAMPLE = (
    "customer_tax_id,invoice_number,period,issued_on,due_on,currency,tax,status,service_id,"
    "description,quantity,amount,total\n"
    "30-71234567-1,A-0003-00012345,2026-11,2026-11-03,2026-11-23,ARS,636300.00,,"
    "AR-BUE-IPVPN-10231,IP VPN 200 Mbps - Casa central,1,1850000.00,3666300.00\n"
    "30-71234567-1,A-0003-00012345,2026-11,2026-11-03,2026-11-23,ARS,636300.00,,"
    "AR-BUE-INT-20045,Internet 1 Gbps - Casa central,1,1180000.00,3666300.00\n"
)
JSON_EXAMPLE = """[
  {
    "customer_tax_id": "30-71234567-1",
    "number": "A-0004-00000871",
    "period": "2026-11",
    "issued_on": "2026-11-03",
    "due_on": "2026-11-23",
    "currency": "USD",
    "tax": "609.00",
    "lines": [
      {"service_id": "CL-SCL-IPVPN-30102", "description": "IP VPN 100 Mbps", "amount": "2000.00"},
      {"description": "Installation fee", "quantity": 1, "amount": "900.00"}
    ]
  }
]"""


@dataclass(frozen=True)
class Problem:
    where: str  # the CSV line, the JSON path ("$[2].lines[0]"), or "" for the whole file
    field: str
    message: str


@dataclass
class _Raw:
    """An invoice or a line as read, before any check: values keyed by the JSON names."""

    where: str
    values: dict[str, Any]
    lines: list["_Raw"] = field(default_factory=list)
    # where each invoice field was read (CSV: the invoice's first line; JSON: "$[i].key")
    places: dict[str, str] = field(default_factory=dict)

    def place(self, name: str) -> str:
        return self.places.get(name, self.where)


@dataclass
class _Line:
    where: str
    service_id: str
    description: str
    quantity: Decimal
    amount: Decimal
    service: Service | None = None


@dataclass
class _Invoice:
    raw: _Raw
    raw_tax_id: str = ""
    customer: Customer | None = None
    number: str = ""
    period: date | None = None
    issued_on: date | None = None
    due_on: date | None = None
    currency: str = ""
    tax: Decimal = Decimal("0")
    status: str = Invoice.Status.ISSUED
    paid_on: date | None = None
    lines: list[_Line] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


@dataclass
class ImportReport:
    errors: list[Problem] = field(default_factory=list)
    invoices: int = 0
    lines: int = 0
    source: str = ""
    per_customer: list[tuple[Customer, int]] = field(default_factory=list)
    per_currency: list[tuple[str, int, Decimal]] = field(default_factory=list)  # (code, n, total)
    created: list[Invoice] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Shared helpers -----------------------------------------------------------------------------


def tax_id_compact(value: str) -> str:
    """A tax id as compared: no '.', '-', '/' or spaces, upper case (RUT check digit K)."""
    return re.sub(r"[.\-/\s]", "", str(value)).upper()


def _compact_expression():
    return _compact_expression_of("tax_id")


def _compact_expression_of(field: str):
    expression = field
    for character in (".", "-", "/", " "):
        expression = Replace(expression, Value(character), Value(""))
    return Upper(expression)


def customers_by_tax_id(compacts: set[str]) -> dict[str, list[Customer]]:
    """Customers whose tax id compacts to one of `compacts`, in one query."""
    found: dict[str, list[Customer]] = defaultdict(list)
    if compacts:
        rows = Customer.objects.annotate(compact_tax_id=_compact_expression()).filter(
            compact_tax_id__in=compacts
        )
        for customer in rows.order_by("country", "pk"):
            found[customer.compact_tax_id].append(customer)
        # R-BIL-4: a tax id changed in the portal stays on the invoices issued before the change
        # applies, so the billing system may still send it.
        replaced = (
            BillingDataChange.objects.filter(status=BillingDataChange.Status.APPLIED)
            .exclude(replaced_tax_id="")
            .annotate(compact=_compact_expression_of("replaced_tax_id"))
            .filter(compact__in=compacts)
            .select_related("customer")
            .order_by("-handled_at")
        )
        for change in replaced:
            if change.customer not in found[change.compact]:
                found[change.compact].append(change.customer)
    return found


def invoice_number_problem(number: str) -> str | None:
    if not number:
        return _("Enter the invoice number.")
    if len(number) > NUMBER_MAX:
        return _("At most %(max)d characters.") % {"max": NUMBER_MAX}
    if not NUMBER_PATTERN.fullmatch(number):
        return _(
            "Use only letters, digits, '-', '_' and '.', starting with a letter or a digit "
            "(the number is part of the invoice's address in the portal)."
        )
    return None


def invoice_pdf_check(upload, *, max_mb: int | None = None) -> None:
    """The uploaded invoice is a PDF by its content, whatever its name, and not too large."""
    max_mb = max_mb if max_mb is not None else settings.INVOICE_PDF_MAX_MB
    if upload.size > max_mb * 1024 * 1024:
        raise DomainError(
            _("The PDF is larger than %(limit)d MB.") % {"limit": max_mb}, field="pdf"
        )
    if upload.size == 0:
        raise DomainError(_("The file is empty."), field="pdf")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    complete = kind is not None and kind.mime == "application/pdf" and pdf_complete(upload)
    upload.seek(0)
    if not complete:
        if kind is not None and kind.mime == "application/pdf":
            what = _("its content is not a complete PDF document")
        elif kind is not None:
            what = _("its content is a .%(extension)s file") % {"extension": kind.extension}
        else:
            what = _("its content is not a PDF document")
        raise DomainError(
            _("%(name)s is not a PDF: %(what)s. Upload the invoice's PDF.")
            % {"name": os.path.basename(upload.name or ""), "what": what},
            field="pdf",
        )


# --- Reading the file ---------------------------------------------------------------------------

_EXCEL = gettext_lazy("an Excel workbook: save it as “CSV UTF-8” and upload that")
_BINARY_HINTS = {
    "xlsx": _EXCEL,
    "xls": _EXCEL,
    "zip": gettext_lazy("a ZIP archive"),
    "pdf": gettext_lazy("a PDF document"),
}


def _read_text(content: bytes) -> tuple[str | None, list[Problem]]:
    if not content:
        return None, [Problem("", "", _("The file is empty."))]
    if len(content) > MAX_BYTES:
        return None, [
            Problem(
                "",
                "",
                _("The file is larger than %(limit)d MB: split the batch.")
                % {"limit": MAX_BYTES // (1024 * 1024)},
            )
        ]
    kind = filetype.guess(content[:8192])
    if kind is not None or b"\x00" in content[:8192]:
        what = (
            _BINARY_HINTS.get(
                kind.extension, _("a .%(extension)s file") % {"extension": kind.extension}
            )
            if kind is not None
            else _("a binary file")
        )
        return None, [
            Problem("", "", _("This is %(what)s, not a CSV or JSON file.") % {"what": what})
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                str(line),
                "",
                _(
                    "The file is not UTF-8 text (first unreadable character on line %(line)d). "
                    "Save it as UTF-8, for example “CSV UTF-8” in Excel."
                )
                % {"line": line},
            )
        ]
    if not text.strip():
        return None, [Problem("", "", _("The file is empty."))]
    return text, []


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("[", "{")


def _read_csv(text: str) -> tuple[list[_Raw], list[Problem]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None:
            return [], [Problem("", "", _("The file is empty."))]
        columns = [name.strip().lower() for name in header]
        unknown = [name for name in columns if name and name not in CSV_COLUMNS]
        missing = sorted(CSV_REQUIRED - set(columns))
        repeated = sorted(name for name, count in Counter(columns).items() if name and count > 1)
        for name in unknown:
            problems.append(
                Problem(
                    "1",
                    name,
                    _("Unknown column. The columns are: %(columns)s.")
                    % {"columns": ", ".join(CSV_COLUMNS)},
                )
            )
        for name in missing:
            problems.append(Problem("1", name, _("This column is missing from the header.")))
        for name in repeated:
            problems.append(Problem("1", name, _("This column appears twice in the header.")))
        if problems:
            return [], problems
        invoices: list[_Raw] = []
        ended: dict[tuple[str, str], int] = {}  # invoice key -> its first line, once left behind
        current: _Raw | None = None
        current_key = None
        current_cells: dict[str, str] = {}
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
                    Problem(
                        "",
                        "",
                        _("More than %(max)d lines: split the batch.") % {"max": MAX_LINES},
                    )
                ]
            where = str(line)
            if len(cells) != len(columns):
                problems.append(
                    Problem(
                        where,
                        "",
                        _(
                            "This row has %(cells)d cells and the header %(columns)d. A comma "
                            "inside a value must be quoted; amounts use a decimal point "
                            "(1234.56, not 1.234,56)."
                        )
                        % {"cells": len(cells), "columns": len(columns)},
                    )
                )
                continue
            row = {name: cell.strip() for name, cell in zip(columns, cells, strict=True) if name}
            key = (tax_id_compact(row.get("customer_tax_id", "")), row.get("invoice_number", ""))
            invoice_cells = {name: row.get(name, "") for name in INVOICE_COLUMNS}
            if current is not None and key == current_key:
                for name in INVOICE_COLUMNS:
                    if invoice_cells[name] != current_cells[name]:
                        problems.append(
                            Problem(
                                where,
                                name,
                                _(
                                    "“%(value)s” differs from line %(first)s (“%(other)s”): the "
                                    "rows of one invoice must agree on the invoice columns."
                                )
                                % {
                                    "value": invoice_cells[name],
                                    "first": current.where,
                                    "other": current_cells[name],
                                },
                            )
                        )
            else:
                if current is not None:
                    ended[current_key] = int(current.where)
                if key in ended and key[1]:
                    problems.append(
                        Problem(
                            where,
                            "invoice_number",
                            _(
                                "Invoice %(number)s already appeared from line %(first)d with "
                                "other rows in between: keep the rows of an invoice together, "
                                "or fix the repeated number."
                            )
                            % {"number": key[1], "first": ended[key]},
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
                current = _Raw(where=where, values=values)
                current_key, current_cells = key, invoice_cells
                invoices.append(current)
            current.lines.append(
                _Raw(where=where, values={name: row.get(name, "") for name in LINE_COLUMNS})
            )
    except csv.Error as error:
        return [], [
            Problem(
                str(reader.line_num),
                "",
                _("The CSV cannot be read here: %(error)s.") % {"error": error},
            )
        ]
    if not invoices and not problems:
        problems.append(Problem("", "", _("The file has a header but no rows.")))
    # The CSV names the number column "invoice_number".
    for invoice in invoices:
        invoice.places = {"number": invoice.where}
    return invoices, problems


def _reject_constant(name: str):
    raise ValueError(_("%(value)s is not a number JSON accepts.") % {"value": name})


def _read_json(text: str) -> tuple[list[_Raw], list[Problem]]:
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        return [], [
            Problem(
                str(error.lineno),
                "",
                _("This is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
                % {"error": error.msg, "line": error.lineno, "column": error.colno},
            )
        ]
    except (ValueError, RecursionError) as error:
        return [], [Problem("", "", _("This is not valid JSON: %(error)s") % {"error": error})]
    if not isinstance(data, list):
        return [], [Problem("$", "", _("The file must hold a list of invoices: [{...}, {...}]."))]
    if not data:
        return [], [Problem("$", "", _("The list of invoices is empty."))]
    if sum(len(item.get("lines") or []) if isinstance(item, dict) else 1 for item in data) > (
        MAX_LINES
    ):
        return [], [
            Problem("", "", _("More than %(max)d lines: split the batch.") % {"max": MAX_LINES})
        ]
    invoices, problems = [], []
    for index, item in enumerate(data):
        where = f"$[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "", _("Each invoice must be an object: {...}.")))
            continue
        for key in sorted(set(item) - JSON_INVOICE_KEYS, key=str):
            problems.append(
                Problem(
                    where,
                    str(key),
                    _("Unknown field. The fields are: %(fields)s.")
                    % {"fields": ", ".join(sorted(JSON_INVOICE_KEYS))},
                )
            )
        values = {key: value for key, value in item.items() if key != "lines"}
        raw = _Raw(
            where=where,
            values=values,
            places={key: f"{where}.{key}" for key in JSON_INVOICE_KEYS},
        )
        lines = item.get("lines")
        if not isinstance(lines, list) or not lines:
            problems.append(
                Problem(
                    f"{where}.lines", "lines", _("Give the invoice's lines: a list of one or more.")
                )
            )
            lines = []
        for position, line in enumerate(lines):
            line_where = f"{where}.lines[{position}]"
            if not isinstance(line, dict):
                problems.append(Problem(line_where, "", _("Each line must be an object: {...}.")))
                continue
            for key in sorted(set(line) - JSON_LINE_KEYS, key=str):
                problems.append(
                    Problem(
                        line_where,
                        str(key),
                        _("Unknown field. The fields are: %(fields)s.")
                        % {"fields": ", ".join(sorted(JSON_LINE_KEYS))},
                    )
                )
            raw.lines.append(_Raw(where=line_where, values=line))
        invoices.append(raw)
    return invoices, problems


# --- Checking each value --------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(value: Any, *, required: bool, numbers: bool = False) -> str:
    if value is None:
        value = ""
    if isinstance(value, bool) or (not isinstance(value, str) and not numbers):
        raise _Bad(_("Write this as text."))
    if not isinstance(value, str):
        if not isinstance(value, int | Decimal):
            raise _Bad(_("Write this as text."))
        value = str(value)
    value = value.strip()
    if required and not value:
        raise _Bad(_("This is required."))
    return value


def _decimal(value: Any, *, places: int, digits: int, label_example: str = "1234.56") -> Decimal:
    """A number written with a decimal point, no thousands separators, at most `places`
    decimals and `digits` digits in all."""
    if isinstance(value, bool) or value is None:
        raise _Bad(_("Write a number, for example %(example)s.") % {"example": label_example})
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise _Bad(_("This is required."))
        if "," in text:
            raise _Bad(
                _(
                    "“%(value)s”: write numbers with a decimal point and no thousands "
                    "separators, for example 1234.56 (not 1.234,56 or 1,234.56)."
                )
                % {"value": text}
            )
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise _Bad(
                _("“%(value)s” is not a number; write it like %(example)s.")
                % {"value": text, "example": label_example}
            )
        number = Decimal(text)
    else:
        raise _Bad(_("Write a number, for example %(example)s.") % {"example": label_example})
    if not number.is_finite():
        raise _Bad(_("Write a number, for example %(example)s.") % {"example": label_example})
    if abs(number) >= Decimal(10) ** (digits - places):
        raise _Bad(_("This number is too large."))
    try:
        exact = number == number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        exact = False
    if not exact:
        message = _("At most %(places)d decimals.") % {"places": places}
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", value.strip()):
            message += " " + _("Thousands separators are not allowed: write 1234.56.")
        raise _Bad(message)
    return number


def _date(value: Any, *, month: bool = False) -> date:
    text = _text(value, required=True)
    pattern = r"\d{4}-\d{2}" if month else r"\d{4}-\d{2}-\d{2}"
    example = "2026-11" if month else "2026-11-03"
    try:
        if not re.fullmatch(pattern, text):
            raise ValueError(text)
        return date.fromisoformat(f"{text}-01" if month else text)
    except ValueError:
        raise _Bad(
            _("“%(value)s” is not a valid date: write it as %(format)s, for example %(example)s.")
            % {"value": text, "format": "YYYY-MM" if month else "YYYY-MM-DD", "example": example}
        ) from None


def _check(problems: list[Problem], where: str, name: str, read, *args, **kwargs):
    try:
        return read(*args, **kwargs)
    except _Bad as bad:
        problems.append(Problem(where, name, bad.message))
        return None


def _validate(raws: list[_Raw], *, number_label: str) -> tuple[list[_Invoice], list[Problem]]:
    """Every value of every invoice, then what needs the database: customers, services and
    numbers already loaded, each in one query."""
    problems: list[Problem] = []
    drafts: list[_Invoice] = []
    for raw in raws:
        draft = _Invoice(raw=raw)
        values = raw.values
        known_before = len(problems)

        def get(name, read, *args, _raw=raw, _values=values, **kwargs):
            label = number_label if name == "number" else name
            return _check(
                problems, _raw.place(name), label, read, _values.get(name), *args, **kwargs
            )

        draft.raw_tax_id = get("customer_tax_id", _text, required=True, numbers=True) or ""
        number = get("number", _text, required=True, numbers=True)
        if number is not None:
            message = invoice_number_problem(number)
            if message:
                problems.append(Problem(raw.place("number"), number_label, message))
            draft.number = number
        draft.period = get("period", _date, month=True)
        draft.issued_on = get("issued_on", _date)
        draft.due_on = get("due_on", _date)
        if draft.issued_on and draft.due_on and draft.due_on < draft.issued_on:
            problems.append(
                Problem(
                    raw.place("due_on"),
                    "due_on",
                    _("The due date cannot be before the issue date."),
                )
            )
        currency = get("currency", _text, required=True)
        if currency is not None:
            currency = currency.upper()
            if currency not in Currency.values:
                problems.append(
                    Problem(
                        raw.place("currency"),
                        "currency",
                        _("Unknown currency “%(value)s”. Known: %(known)s.")
                        % {"value": currency, "known": ", ".join(Currency.values)},
                    )
                )
            draft.currency = currency
        tax = get("tax", _decimal, places=2, digits=14)
        if tax is not None:
            if tax < 0:
                problems.append(Problem(raw.place("tax"), "tax", _("Taxes cannot be negative.")))
            draft.tax = tax
        status = get("status", _text, required=False) or Invoice.Status.ISSUED
        if status.lower() not in IMPORT_STATUSES:
            problems.append(
                Problem(
                    raw.place("status"),
                    "status",
                    _(
                        "Unknown status “%(value)s”: write issued, paid or overdue (or leave it empty)."
                    )
                    % {"value": status},
                )
            )
        draft.status = status.lower()
        paid_on = values.get("paid_on")
        if paid_on not in (None, ""):
            draft.paid_on = get("paid_on", _date)
            if draft.status != Invoice.Status.PAID:
                problems.append(
                    Problem(
                        raw.place("paid_on"),
                        "paid_on",
                        _("Only a paid invoice has a payment date."),
                    )
                )
        elif draft.status == Invoice.Status.PAID:
            problems.append(
                Problem(
                    raw.place("paid_on"), "paid_on", _("Enter the payment date of a paid invoice.")
                )
            )
        for line_raw in raw.lines:
            line_values = line_raw.values

            def line_get(name, read, *args, _line=line_raw, _values=line_values, **kwargs):
                return _check(problems, _line.where, name, read, _values.get(name), *args, **kwargs)

            service_id = line_get("service_id", _text, required=False, numbers=True) or ""
            description = line_get("description", _text, required=True)
            if description and len(description) > DESCRIPTION_MAX:
                problems.append(
                    Problem(
                        line_raw.where,
                        "description",
                        _("At most %(max)d characters.") % {"max": DESCRIPTION_MAX},
                    )
                )
            quantity = Decimal("1")
            if line_values.get("quantity") not in (None, ""):
                quantity = line_get("quantity", _decimal, places=3, digits=12, label_example="1")
                if quantity is not None and quantity <= 0:
                    problems.append(
                        Problem(
                            line_raw.where, "quantity", _("The quantity must be more than zero.")
                        )
                    )
            amount = line_get("amount", _decimal, places=2, digits=14)
            draft.lines.append(
                _Line(
                    where=line_raw.where,
                    service_id=service_id,
                    description=description or "",
                    quantity=quantity or Decimal("1"),
                    amount=amount if amount is not None else Decimal("0"),
                )
            )
        total = values.get("total")
        if total not in (None, ""):
            total = get("total", _decimal, places=2, digits=14)
            expected = draft.subtotal + draft.tax
            # A total that does not add up says nothing new when a value was refused.
            fine = len(problems) == known_before
            if total is not None and fine and total != expected:
                problems.append(
                    Problem(
                        raw.place("total"),
                        "total",
                        _(
                            "The total %(total)s is not the sum of the lines plus the taxes "
                            "(%(subtotal)s + %(tax)s = %(expected)s)."
                        )
                        % {
                            "total": total,
                            "subtotal": draft.subtotal,
                            "tax": draft.tax,
                            "expected": expected,
                        },
                    )
                )
        if draft.subtotal + draft.tax < 0:
            problems.append(
                Problem(raw.where, "amount", _("The invoice's total cannot be negative."))
            )
        drafts.append(draft)
    _resolve(drafts, problems, number_label=number_label)
    return drafts, problems


def _resolve(drafts: list[_Invoice], problems: list[Problem], *, number_label: str) -> None:
    customers = customers_by_tax_id({tax_id_compact(d.raw_tax_id) for d in drafts if d.raw_tax_id})
    for draft in drafts:
        if not draft.raw_tax_id:
            continue
        found = customers.get(tax_id_compact(draft.raw_tax_id), [])
        where = draft.raw.place("customer_tax_id")
        if not found:
            problems.append(
                Problem(
                    where,
                    "customer_tax_id",
                    _("No customer has the tax id %(tax_id)s.") % {"tax_id": draft.raw_tax_id},
                )
            )
        elif len(found) > 1:
            problems.append(
                Problem(
                    where,
                    "customer_tax_id",
                    _(
                        "The tax id %(tax_id)s belongs to several customers (%(customers)s): "
                        "load these invoices one by one in the invoice form."
                    )
                    % {
                        "tax_id": draft.raw_tax_id,
                        "customers": ", ".join(f"{c.display_name} ({c.country})" for c in found),
                    },
                )
            )
        else:
            draft.customer = found[0]
            today = rules.customer_today(draft.customer)
            if draft.issued_on and draft.issued_on > today:
                # The billing system issues on the day: a later date is a typo, and the customer
                # would see the invoice as issued at once.
                problems.append(
                    Problem(
                        draft.raw.place("issued_on"),
                        "issued_on",
                        _(
                            "The issue date cannot be in the future (today is %(today)s for %(customer)s)."
                        )
                        % {"today": today.isoformat(), "customer": draft.customer.display_name},
                    )
                )
    # Services: by service id, each of the invoice's customer.
    wanted = {line.service_id for d in drafts for line in d.lines if line.service_id}
    services = {s.service_id: s for s in Service.objects.filter(service_id__in=wanted)}
    for draft in drafts:
        for line in draft.lines:
            if not line.service_id:
                continue
            service = services.get(line.service_id)
            if service is None:
                problems.append(
                    Problem(
                        line.where,
                        "service_id",
                        _("No service has the id %(id)s.") % {"id": line.service_id},
                    )
                )
            elif draft.customer is not None and service.customer_id != draft.customer.pk:
                problems.append(
                    Problem(
                        line.where,
                        "service_id",
                        _("Service %(id)s is not a service of %(customer)s.")
                        % {"id": line.service_id, "customer": draft.customer.display_name},
                    )
                )
            else:
                line.service = service
    # Numbers: not loaded already for the customer, not twice in the batch.
    keyed = [(d.customer.pk, d.number) for d in drafts if d.customer and d.number]
    loaded = set()
    if keyed:
        loaded = set(
            Invoice.objects.filter(
                customer_id__in={pk for pk, _n in keyed}, number__in={n for _pk, n in keyed}
            ).values_list("customer_id", "number")
        )
    seen: dict[tuple[int, str], str] = {}
    for draft in drafts:
        if not (draft.customer and draft.number):
            continue
        key = (draft.customer.pk, draft.number)
        where = draft.raw.place("number")
        if key in loaded:
            problems.append(
                Problem(
                    where,
                    number_label,
                    _("%(customer)s already has invoice %(number)s loaded.")
                    % {"customer": draft.customer.display_name, "number": draft.number},
                )
            )
        elif key in seen:
            problems.append(
                Problem(
                    where,
                    number_label,
                    _(
                        "Invoice %(number)s of %(customer)s is repeated in this file (also at %(other)s)."
                    )
                    % {
                        "number": draft.number,
                        "customer": draft.customer.display_name,
                        "other": seen[key],
                    },
                )
            )
        else:
            seen[key] = where


# --- The import ---------------------------------------------------------------------------------


def source_for(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or "batch"
    return f"import:{name}"[: Invoice._meta.get_field("source").max_length]


def invoices_import(*, content: bytes, filename: str) -> ImportReport:
    """All the file's invoices or none (R-TEAM-5). Never raises for a bad file: every problem
    is in the report."""
    report = ImportReport(source=source_for(filename))
    text, problems = _read_text(content)
    if text is None:
        report.errors = problems
        return report
    is_json = _looks_like_json(text)
    if not is_json and not _csv_candidate(text, filename):
        report.errors = [
            Problem(
                "",
                "",
                _("This is neither a CSV nor a JSON file in the format below."),
            )
        ]
        return report
    raws, problems = _read_json(text) if is_json else _read_csv(text)
    drafts, checked = _validate(raws, number_label="number" if is_json else "invoice_number")
    report.errors = problems + checked
    if report.errors:
        report.errors = _sorted(report.errors)
        return report
    try:
        _write(drafts, report)
    except IntegrityError:
        report.errors = [
            Problem(
                "",
                "",
                _(
                    "Some of these invoices were loaded by someone else meanwhile; nothing was "
                    "imported. Check the invoices and try again."
                ),
            )
        ]
    return report


def _csv_candidate(text: str, filename: str) -> bool:
    extension = os.path.splitext(filename or "")[1].lower()
    if extension in (".csv", ".txt", ""):
        return True
    return "customer_tax_id" in text.split("\n", 1)[0].lower()


def _sorted(problems: list[Problem]) -> list[Problem]:
    """File problems first, then in the file's order (CSV lines numerically, JSON by index),
    in the order found within one place."""

    def key(problem: Problem):
        if not problem.where:
            return (0, 0, "")
        if problem.where.isdigit():
            return (1, int(problem.where), "")
        return (2, tuple(int(n) for n in re.findall(r"\[(\d+)\]", problem.where)), "")

    # One problem per place and field: a CSV invoice split in two is also "repeated".
    unique = {(problem.where, problem.field): problem for problem in reversed(problems)}
    kept = [p for p in problems if unique[(p.where, p.field)] is p]
    return sorted(kept, key=key)


@transaction.atomic
def _write(drafts: list[_Invoice], report: ImportReport) -> None:
    invoices = Invoice.objects.bulk_create(
        Invoice(
            customer=draft.customer,
            number=draft.number,
            period=draft.period,
            issued_on=draft.issued_on,
            due_on=draft.due_on,
            currency=draft.currency,
            subtotal=draft.subtotal,
            tax=draft.tax,
            total=draft.subtotal + draft.tax,
            status=draft.status,
            paid_on=draft.paid_on,
            source=report.source,
        )
        for draft in drafts
    )
    lines = InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            service=line.service,
            description=line.description,
            quantity=line.quantity,
            amount=line.amount,
        )
        for invoice, draft in zip(invoices, drafts, strict=True)
        for position, line in enumerate(draft.lines, start=1)
    )
    report.created = invoices
    report.invoices = len(invoices)
    report.lines = len(lines)
    per_customer: Counter = Counter()
    names: dict[int, Customer] = {}
    per_currency: dict[str, list] = defaultdict(lambda: [0, Decimal("0")])
    for invoice in invoices:
        per_customer[invoice.customer_id] += 1
        names[invoice.customer_id] = invoice.customer
        per_currency[invoice.currency][0] += 1
        per_currency[invoice.currency][1] += invoice.total
    report.per_customer = sorted(
        ((names[pk], count) for pk, count in per_customer.items()),
        key=lambda row: row[0].display_name,
    )
    report.per_currency = [(code, n, total) for code, (n, total) in sorted(per_currency.items())]
