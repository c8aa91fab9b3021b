"""The customer pages of the billing area, one module per part: invoices, requests (inquiries,
disputes, credit requests) and data (billing-data changes and PO / HES / MIGO requests)."""
