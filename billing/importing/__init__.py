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

from billing.importing.batch import invoices_import, source_for
from billing.importing.formats import (
    CSV_COLUMNS,
    CSV_EXAMPLE,
    IMPORT_STATUSES,
    JSON_EXAMPLE,
    MAX_BYTES,
    MAX_LINES,
)
from billing.importing.records import ImportReport, Problem
from billing.importing.validate import customers_by_tax_id
from billing.importing.values import invoice_number_problem, invoice_pdf_check, tax_id_compact

__all__ = [
    "CSV_COLUMNS",
    "CSV_EXAMPLE",
    "IMPORT_STATUSES",
    "JSON_EXAMPLE",
    "MAX_BYTES",
    "MAX_LINES",
    "ImportReport",
    "Problem",
    "customers_by_tax_id",
    "invoice_number_problem",
    "invoice_pdf_check",
    "invoices_import",
    "source_for",
    "tax_id_compact",
]
