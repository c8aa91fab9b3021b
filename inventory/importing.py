"""The services CSV: one format for the customers' export and the staff import.

Export writes labels in the reader's language; import accepts the code or the label in any of
the portal's languages, so an exported file can be edited and imported back.
"""

import csv
import io
import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from core.lib.csv_export import csv_cell_restored, csv_cell_safe
from core.models import Country, ProductLine, Service

COLUMNS = [
    "service_id",
    "product_line",
    "satellite",
    "managed",
    "site_name",
    "site_address",
    "country",
    "capacity",
    "status",
    "activated_on",
    "notes",
]
CHOICES = {"product_line": ProductLine, "country": Country, "status": Service.Status}
BOOLEANS = {"satellite", "managed"}
MAX_ROWS = 5000
_SERVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,39}")
_TRUE = {"1", "true", "yes", "y", "sí", "si", "sim", "x"}
_FALSE = {"", "0", "false", "no", "n", "não", "nao"}


def service_cells(service: Service) -> list[str]:
    yes, no = _("yes"), _("no")
    return [
        csv_cell_safe(service.service_id),
        service.get_product_line_display(),
        yes if service.satellite else no,
        yes if service.managed else no,
        csv_cell_safe(service.site_name),
        csv_cell_safe(service.site_address),
        service.get_country_display(),
        csv_cell_safe(service.capacity),
        service.get_status_display(),
        service.activated_on.isoformat() if service.activated_on else "",
        csv_cell_safe(service.notes),
    ]


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for code, label in choices.choices:
        lookup[code.lower()] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup[str(label).lower()] = code
    return lookup


def _cell(column: str, value: str, lookups: dict) -> tuple[object, str | None]:
    """One cell's value, or the problem with it."""
    if column in CHOICES:
        code = lookups[column].get(value.lower())
        if code is None:
            return None, _("%(column)s: “%(value)s” is not one of the known values.") % {
                "column": column,
                "value": value,
            }
        return code, None
    if column in BOOLEANS:
        if value.lower() in _TRUE:
            return True, None
        if value.lower() in _FALSE:
            return False, None
        return None, _("%(column)s: write yes or no, not “%(value)s”.") % {
            "column": column,
            "value": value,
        }
    if column == "activated_on":
        try:
            return (date.fromisoformat(value) if value else None), None
        except ValueError:
            return None, _("activated_on: write the date as YYYY-MM-DD, not “%(value)s”.") % {
                "value": value
            }
    return value, None


def _parse_row(raw: dict, lookups: dict) -> tuple[dict, list[str]]:
    row: dict = {}
    problems: list[str] = []
    for column in COLUMNS:
        value = csv_cell_restored((raw.get(column) or "").strip())
        row[column], problem = _cell(column, value, lookups)
        if problem:
            problems.append(problem)
    if problems:
        return row, problems
    service = Service(customer_id=0, **row)
    try:
        service.full_clean(exclude=["customer", "service_id"], validate_constraints=False)
    except ValidationError as error:
        problems.extend(
            f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        )
    active = row["status"] in (Service.Status.ACTIVE, Service.Status.SUSPENDED)
    if active and row["activated_on"] is None:
        problems.append(
            _("activated_on: an active or suspended service needs its activation date.")
        )
    if row["status"] == Service.Status.PROVISIONING and row["activated_on"] is not None:
        problems.append(_("activated_on: a service in provisioning has no activation date yet."))
    if not row["service_id"]:
        problems.append(_("service_id: this column is required."))
    elif not _SERVICE_ID.fullmatch(row["service_id"]):
        problems.append(_("service_id: use at most 40 letters, digits and - _ . / characters."))
    return row, problems


def services_parse(data: bytes) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """(line, row) pairs ready for portal.services.inventory.services_import, and every problem
    by line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        return [], [
            (1, _("The header lacks these columns: %(columns)s.") % {"columns": ", ".join(missing)})
        ]
    reader.fieldnames = header
    lookups = {column: _choice_lookup(choices) for column, choices in CHOICES.items()}
    rows: list[tuple[int, dict]] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str | None, int] = {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            return [], [(line, _("At most %(max)s rows per file.") % {"max": MAX_ROWS})]
        if not any((value or "").strip() for value in raw.values() if isinstance(value, str)):
            continue
        row, problems = _parse_row(raw, lookups)
        if row.get("service_id") in seen:
            problems.append(
                _("service_id: %(id)s is also on line %(line)s.")
                % {"id": row["service_id"], "line": seen[row["service_id"]]}
            )
        seen.setdefault(row.get("service_id"), line)
        errors.extend((line, problem) for problem in problems)
        rows.append((line, row))
    if not rows and not errors:
        errors.append((0, _("The file has no rows.")))
    return rows, errors
