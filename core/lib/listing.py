"""What every paginated, sortable list page hands its template (services, orders, audit log)."""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
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


def first_with_total(queryset: QuerySet, first: int) -> tuple[list, int]:
    """The `first` rows of `queryset` and how many it has in all, in one query: the total rides
    on each row (a window count over the whole result, taken before the LIMIT). A card that
    lists a few and counts them all (the dashboard's) reads once."""
    rows = list(queryset.annotate(rows_total=Window(Count("pk")))[:first])
    return rows, rows[0].rows_total if rows else 0


class KeysFirst:
    """The rows of a long list for Paginator, a page at a time, keys first.

    `OFFSET 1225 LIMIT 25` over a queryset makes the database fetch (or sort) the 1,225 rows
    before the page. Here a page reads its keys alone, which an index holding the list's order
    answers without touching the table (an index-only scan), then its rows by key: page 50 costs
    what page 1 does, however many rows the list has. The first page takes the same two steps, so
    that every page does the same work. A DISTINCT queryset (a search across joined rows) is
    sliced as it is."""

    def __init__(self, queryset: QuerySet) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or self.queryset.query.distinct:
            return self.queryset[index]
        keys = list(self.queryset.values_list("pk", flat=True)[index])
        return self.queryset.filter(pk__in=keys)
