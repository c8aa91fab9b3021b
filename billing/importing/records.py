"""What the import reads, checks and reports: problems, raw entries as read, drafts as checked,
and the report."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from billing.models import Invoice
from core.models import Customer, Service


@dataclass(frozen=True)
class Problem:
    where: str  # the CSV line, the JSON path ("$[2].lines[0]"), or "" for the whole file
    field: str
    message: str


@dataclass
class Raw:
    """An invoice or a line as read, before any check: values keyed by the JSON names."""

    where: str
    values: dict[str, Any]
    lines: list["Raw"] = field(default_factory=list)
    # where each invoice field was read (CSV: the invoice's first line; JSON: "$[i].key")
    places: dict[str, str] = field(default_factory=dict)

    def place(self, name: str) -> str:
        return self.places.get(name, self.where)


@dataclass
class LineDraft:
    where: str
    service_id: str
    description: str
    quantity: Decimal
    amount: Decimal
    service: Service | None = None


@dataclass
class InvoiceDraft:
    raw: Raw
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
    lines: list[LineDraft] = field(default_factory=list)

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
