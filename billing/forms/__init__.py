"""The customer forms of the billing area, one module per part, as in billing.views."""
