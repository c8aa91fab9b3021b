"""JSON into raw invoices: a list of invoice objects, each with its list of line objects. Numbers
are read as decimals (never floats); every place is named by its path, "$[2].lines[0]"."""

import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing.importing.formats import JSON_INVOICE_KEYS, JSON_LINE_KEYS, MAX_LINES
from billing.importing.records import Problem, Raw


def read_json(text: str) -> tuple[list[Raw], list[Problem]]:
    data, problems = _parse(text)
    if problems:
        return [], problems
    invoices: list[Raw] = []
    for index, item in enumerate(data):
        where = f"$[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "", _("Each invoice must be an object: {...}.")))
            continue
        invoices.append(_invoice(where, item, problems))
    return invoices, problems


def _reject_constant(name: str):
    raise ValueError(_("%(value)s is not a number JSON accepts.") % {"value": name})


def _parse(text: str) -> tuple[Any, list[Problem]]:
    """The list of invoices, or the one problem that stops the reading."""
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        return None, [
            Problem(
                str(error.lineno),
                "",
                _("This is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
                % {"error": error.msg, "line": error.lineno, "column": error.colno},
            )
        ]
    except (ValueError, RecursionError) as error:
        return None, [Problem("", "", _("This is not valid JSON: %(error)s") % {"error": error})]
    if not isinstance(data, list):
        return None, [
            Problem("$", "", _("The file must hold a list of invoices: [{...}, {...}].")),
        ]
    if not data:
        return None, [Problem("$", "", _("The list of invoices is empty."))]
    lines = sum(len(item.get("lines") or []) if isinstance(item, dict) else 1 for item in data)
    if lines > MAX_LINES:
        return None, [
            Problem("", "", _("More than %(max)d lines: split the batch.") % {"max": MAX_LINES})
        ]
    return data, []


def _unknown_keys(where: str, item: dict, known: set[str]) -> list[Problem]:
    message = _("Unknown field. The fields are: %(fields)s.") % {"fields": ", ".join(sorted(known))}
    return [Problem(where, str(key), message) for key in sorted(set(item) - known, key=str)]


def _invoice(where: str, item: dict, problems: list[Problem]) -> Raw:
    problems.extend(_unknown_keys(where, item, JSON_INVOICE_KEYS))
    raw = Raw(
        where=where,
        values={key: value for key, value in item.items() if key != "lines"},
        places={key: f"{where}.{key}" for key in JSON_INVOICE_KEYS},
    )
    lines = item.get("lines")
    if not isinstance(lines, list) or not lines:
        problems.append(
            Problem(
                f"{where}.lines", "lines", _("Give the invoice's lines: a list of one or more.")
            )
        )
        lines = []
    for position, line in enumerate(lines):
        line_where = f"{where}.lines[{position}]"
        if not isinstance(line, dict):
            problems.append(Problem(line_where, "", _("Each line must be an object: {...}.")))
            continue
        problems.extend(_unknown_keys(line_where, line, JSON_LINE_KEYS))
        raw.lines.append(Raw(where=line_where, values=line))
    return raw
