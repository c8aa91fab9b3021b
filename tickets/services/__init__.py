"""Every write of a trouble ticket: its lifecycle (tickets) and the people copied on it
(watchers). Re-exported here, where callers found them before the split."""

from tickets.services.tickets import (
    ticket_assign,
    ticket_cancel,
    ticket_escalate,
    ticket_open,
    ticket_path,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
    ticket_resume,
    ticket_wait_for_customer,
    tickets_close_resolved,
)
from tickets.services.watchers import (
    ticket_watcher_add,
    ticket_watcher_confirm,
    ticket_watcher_remove,
)

# A read, not a service: billing.request_views and portal's demo import it from here until they
# switch to tickets.sla.
from tickets.sla import ticket_clock

__all__ = [
    "ticket_assign",
    "ticket_cancel",
    "ticket_clock",
    "ticket_escalate",
    "ticket_open",
    "ticket_path",
    "ticket_reopen",
    "ticket_reply",
    "ticket_resolve",
    "ticket_resume",
    "ticket_wait_for_customer",
    "ticket_watcher_add",
    "ticket_watcher_confirm",
    "ticket_watcher_remove",
    "tickets_close_resolved",
]
