"""The invoice admin's batch import page (a CSV or JSON batch through billing.importing: all
invoices or none, with a report) and the PDF widget of the invoice form, which links to the staff
download instead of the storage path."""

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from billing import importing

SHOWN_PROBLEMS = 1000  # a whole file of bad rows would make a page nobody reads


class _StaffLink:
    """What the file widget links to: the staff download, never the storage path."""

    def __init__(self, url: str, label: str):
        self.url, self.label = url, label

    def __str__(self) -> str:
        return self.label


class InvoicePdfWidget(AdminFileWidget):
    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        instance = getattr(value, "instance", None)
        if context["widget"]["is_initial"] and instance is not None and instance.pk:
            url = reverse("admin:billing_invoice_pdf", args=[instance.pk])
            context["widget"]["value"] = _StaffLink(url, f"{instance.number}.pdf")
        return context


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or JSON file"),
        allow_empty_file=True,  # the import's report says the file is empty
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("UTF-8; at most %(mb)d MB.") % {
            "mb": importing.MAX_BYTES // (1024 * 1024)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise ValidationError(
                gettext("The file is larger than %(limit)d MB: split the batch.")
                % {"limit": importing.MAX_BYTES // (1024 * 1024)}
            )
        return upload


class InvoiceImportMixin:
    """The import page of InvoiceAdmin (its URL is in InvoiceAdmin.get_urls)."""

    def import_view(self, request):
        """A CSV or JSON batch, all invoices or none (billing.importing)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        form = ImportForm(request.POST or None, request.FILES or None)
        report, status = None, 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                upload = form.cleaned_data["file"]
                report = importing.invoices_import(content=upload.read(), filename=upload.name)
                if report.ok:
                    status = 200
                    messages.success(
                        request,
                        ngettext(
                            "Imported %(count)d invoice.",
                            "Imported %(count)d invoices.",
                            report.invoices,
                        )
                        % {"count": report.invoices},
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import invoices from CSV or JSON"),
            "form": form,
            "report": report,
            "shown_errors": report.errors[:SHOWN_PROBLEMS] if report else [],
            "hidden_errors": max(len(report.errors) - SHOWN_PROBLEMS, 0) if report else 0,
            "csv_columns": importing.CSV_COLUMNS,
            "csv_example": importing.CSV_EXAMPLE,
            "json_example": importing.JSON_EXAMPLE,
            "max_lines": importing.MAX_LINES,
            "statuses": importing.IMPORT_STATUSES,
        }
        return TemplateResponse(
            request, "admin/billing/invoice/import.html", context, status=status
        )
