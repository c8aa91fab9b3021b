"""The import itself (R-TEAM-5): read, check, and write all the file's invoices or none."""

import os
import re

from django.db import IntegrityError
from django.utils.translation import gettext as _

from billing.importing.read_csv import read_csv
from billing.importing.read_json import read_json
from billing.importing.read_text import csv_candidate, looks_like_json, read_text
from billing.importing.records import ImportReport, Problem
from billing.importing.validate import validate
from billing.importing.write import write
from billing.models import Invoice


def source_for(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or "batch"
    return f"import:{name}"[: Invoice._meta.get_field("source").max_length]


def invoices_import(*, content: bytes, filename: str) -> ImportReport:
    """All the file's invoices or none (R-TEAM-5). Never raises for a bad file: every problem
    is in the report."""
    report = ImportReport(source=source_for(filename))
    text, problems = read_text(content)
    if text is None:
        report.errors = problems
        return report
    is_json = looks_like_json(text)
    if not is_json and not csv_candidate(text, filename):
        report.errors = [
            Problem(
                "",
                "",
                _("This is neither a CSV nor a JSON file in the format below."),
            )
        ]
        return report
    raws, problems = read_json(text) if is_json else read_csv(text)
    drafts, checked = validate(raws, number_label="number" if is_json else "invoice_number")
    report.errors = problems + checked
    if report.errors:
        report.errors = _sorted(report.errors)
        return report
    try:
        write(drafts, report)
    except IntegrityError:
        report.errors = [
            Problem(
                "",
                "",
                _(
                    "Some of these invoices were loaded by someone else meanwhile; nothing was "
                    "imported. Check the invoices and try again."
                ),
            )
        ]
    return report


def _sorted(problems: list[Problem]) -> list[Problem]:
    """File problems first, then in the file's order (CSV lines numerically, JSON by index),
    in the order found within one place."""

    def key(problem: Problem):
        if not problem.where:
            return (0, 0, "")
        if problem.where.isdigit():
            return (1, int(problem.where), "")
        return (2, tuple(int(n) for n in re.findall(r"\[(\d+)\]", problem.where)), "")

    # One problem per place and field: a CSV invoice split in two is also "repeated".
    unique = {(problem.where, problem.field): problem for problem in reversed(problems)}
    kept = [p for p in problems if unique[(p.where, p.field)] is p]
    return sorted(kept, key=key)
