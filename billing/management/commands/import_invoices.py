"""Load a batch of invoices from a CSV or JSON file, as the admin's import page does
(billing.importing: all invoices or none, every problem reported)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.importing import invoices_import
from core.scopes import scopes_disabled


class Command(BaseCommand):
    help = (
        "Import invoices from a CSV or JSON file (all or none); prints the summary or every "
        "problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The .csv or .json file of the billing system.")

    @scopes_disabled()  # a command works across customers (core/scopes.py)
    def handle(self, *args, file: Path, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        report = invoices_import(content=content, filename=file.name)
        if not report.ok:
            for problem in report.errors:
                where = problem.where or "-"
                field = f" {problem.field}" if problem.field else ""
                self.stderr.write(f"{where}{field}: {problem.message}")
            raise CommandError(f"Nothing was imported: {len(report.errors)} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.invoices} invoices with {report.lines} lines as {report.source}."
            )
        )
        for customer, count in report.per_customer:
            self.stdout.write(f"  {customer.display_name} ({customer.country}): {count}")
        for currency, count, total in report.per_currency:
            self.stdout.write(f"  {currency}: {count} invoices, total {total}")
