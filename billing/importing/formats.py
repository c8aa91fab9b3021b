"""The batch format of the invoice import: limits, columns, keys and the examples the import page
shows (the whole format is described in billing.importing)."""

import re

from django.db import models

from billing.models import Invoice, InvoiceLine

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 20_000
# Used in the customer's URLs: letters, digits, '-', '_' and '.', starting with a letter or digit.
NUMBER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _max_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField)
    assert field.max_length is not None  # every CharField has one
    return field.max_length


NUMBER_MAX = _max_length(Invoice, "number")
DESCRIPTION_MAX = _max_length(InvoiceLine, "description")
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
