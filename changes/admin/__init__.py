"""Staff admin of changes and maintenance: the standard-change catalog (R-CHG-1), the queue of
change requests worked by analysis deadline (R-CHG-4..6), and the provider's scheduled
maintenance with its rule check, lifecycle and customers' objections (R-GCR-2..5)."""

from changes.admin import maintenance, requests  # noqa: F401 - each registers its admin classes
