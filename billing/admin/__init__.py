"""Billing Customer Care's side (R-TEAM-5): invoices and their import, requests with their
answers and credits, billing-data changes and PO / HES / MIGO requests."""

from billing.admin import data, invoices, requests  # noqa: F401 - each registers its models
