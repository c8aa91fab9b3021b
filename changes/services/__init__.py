"""Every write of changes: standard change requests (requests) and the provider's maintenance
with its notices, objections and calendar feeds (maintenance). The request services are
re-exported here, where callers found them before the split."""

from changes.services.requests import (
    MAX_SITES,
    analysis_deadline,
    change_path,
    change_request_check,
    change_request_progress,
    change_request_route,
    change_request_submit,
    maintenance_clashes,
)

__all__ = [
    "MAX_SITES",
    "analysis_deadline",
    "change_path",
    "change_request_check",
    "change_request_progress",
    "change_request_route",
    "change_request_submit",
    "maintenance_clashes",
]
