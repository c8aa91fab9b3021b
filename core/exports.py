"""The kinds of CSV export a worker can prepare (issue 15). Each area registers its own in its
`AppConfig.ready()`, as it registers its cards (core/cards.py): the ground floor builds, stores
and offers any of them without importing the area.

A kind turns a customer and the list's filters (a dict of the query string's values) into a row
count and the rows, the same rows its streamed download writes; filters that do not validate
raise a DomainError."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.models import Customer


@dataclass(frozen=True)
class ExportKind:
    key: str
    area: str  # the member needs this area's view level (core.models.Area)
    label: Any  # a lazy translation: what the exports page calls it
    columns: list[str]
    filters: tuple[str, ...]  # the query-string names kept as the export's filters
    count: Callable[[Customer, dict[str, str]], int]
    rows: Callable[[Customer, dict[str, str], datetime], Iterable[Iterable]]
    filename: Callable[[datetime], str]  # the download's name, from the local time of asking
    list_url: str  # the list it comes from (a URL name)


_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> ExportKind:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ImproperlyConfigured(f"There is already an export kind {kind.key!r}.")
    _KINDS[kind.key] = kind
    return kind


def export_kind_get(key: str) -> ExportKind | None:
    return _KINDS.get(key)
