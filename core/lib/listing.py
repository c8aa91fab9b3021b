"""What every paginated, sortable list page hands its template (services, orders, audit log)."""

from django.core.paginator import Paginator
from django.http import HttpRequest


def list_page(request: HttpRequest, rows, *, per_page: int) -> dict:
    """The requested page of `rows`, and the current query string without the page number (for
    the pagination links) and without the sort (for the sort headers)."""
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return {
        "page": Paginator(rows, per_page).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
    }
