"""Billing Customer Care's invoices (R-TEAM-5): the list with its filters, the add/change form
with its lines (services of the invoice's customer only, totals computed by the service), the
PDF checked by its content, "mark as paid", the overdue check, the staff PDF download and the
CSV/JSON batch import (its page and the PDF widget are in billing.admin.importing).

The "Billing" staff group adds and changes invoices; Customer Care and the TSC only read them
(billing/migrations/0002_staff_groups.py)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Max, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from billing import importing, rules, services
from billing.admin.importing import InvoiceImportMixin, InvoicePdfWidget
from billing.models import DisputedLine, Invoice, InvoiceLine
from billing.money import MoneyAmount, money
from core.admin.history import KeepHistoryMixin
from core.errors import DomainError
from core.lib.downloads import private_download
from core.models import Customer, Service

# --- Filters ----------------------------------------------------------------------------------


class PeriodFilter(admin.SimpleListFilter):
    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        months = Invoice.objects.dates("period", "month", order="DESC")[:36]
        return [
            (month.strftime("%Y-%m"), formats.date_format(month, "YEAR_MONTH_FORMAT"))
            for month in months
        ]

    def queryset(self, request, queryset):
        if self.value():
            try:
                year, month = (int(part) for part in self.value().split("-"))
                return queryset.filter(period__year=year, period__month=month)
            except ValueError:
                return queryset.none()
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """Past the due date and not paid: what the overdue check marks, and what it marked."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Past due, unpaid")), ("no", _("Not past due"))]

    def queryset(self, request, queryset):
        past_due = Q(status=Invoice.Status.OVERDUE) | Q(
            status=Invoice.Status.ISSUED, due_on__lt=timezone.localdate()
        )
        if self.value() == "yes":
            return queryset.filter(past_due)
        if self.value() == "no":
            return queryset.exclude(past_due)
        return queryset


class PdfFilter(admin.SimpleListFilter):
    title = _("PDF")
    parameter_name = "pdf"

    def lookups(self, request, model_admin):
        return [("yes", _("With PDF")), ("no", _("Without PDF"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(pdf="")
        if self.value() == "no":
            return queryset.filter(pdf="")
        return queryset


# --- The form ---------------------------------------------------------------------------------


class InvoiceAdminForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = [
            "customer",
            "number",
            "period",
            "issued_on",
            "due_on",
            "currency",
            "tax",
            "status",
            "paid_on",
            "pdf",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "period" in self.fields:
            # Any day of the month, or just YYYY-MM: saved as the 1st.
            self.fields["period"].input_formats = [
                *formats.get_format("DATE_INPUT_FORMATS"),
                "%Y-%m",
            ]
            self.fields["period"].help_text = _(
                "The billed month: any day of it (or YYYY-MM) is saved as the 1st."
            )
        if "pdf" in self.fields:
            self.fields["pdf"].help_text = _("A PDF document of at most %(mb)d MB.") % {
                "mb": _pdf_max_mb()
            }

    def clean_number(self):
        number = (self.cleaned_data.get("number") or "").strip()
        problem = importing.invoice_number_problem(number)
        if problem:
            raise ValidationError(problem)
        return number

    def clean_period(self):
        period = self.cleaned_data.get("period")
        return period.replace(day=1) if period else period

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if isinstance(upload, UploadedFile):
            try:
                importing.invoice_pdf_check(upload, max_mb=_pdf_max_mb())
            except DomainError as error:
                raise ValidationError(error.message) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        customer = cleaned.get("customer") or _instance_customer(self.instance)
        number = cleaned.get("number")
        if customer is not None and number:
            taken = Invoice.objects.filter(customer=customer, number=number)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    "number",
                    gettext(
                        "%(customer)s already has an invoice %(number)s: each customer's "
                        "invoice numbers are unique."
                    )
                    % {"customer": customer.display_name, "number": number},
                )
        issued_on, due_on = cleaned.get("issued_on"), cleaned.get("due_on")
        if issued_on and customer is not None:
            # Billing systems issue on the day: a later date is a typo, and the customer would
            # read an invoice "issued" on a day still to come. Today on the customer's calendar.
            today = rules.customer_today(customer)
            if issued_on > today:
                self.add_error(
                    "issued_on",
                    gettext(
                        "The issue date cannot be in the future: it is %(today)s for "
                        "%(customer)s. Invoices are issued on the day."
                    )
                    % {
                        "today": formats.date_format(today),
                        "customer": customer.display_name,
                    },
                )
        if issued_on and due_on and due_on < issued_on:
            self.add_error("due_on", gettext("The due date cannot be before the issue date."))
        status, paid_on = cleaned.get("status"), cleaned.get("paid_on")
        if status == Invoice.Status.PAID and not paid_on:
            self.add_error("paid_on", gettext("Enter the payment date of a paid invoice."))
        elif paid_on and status and status != Invoice.Status.PAID:
            self.add_error("paid_on", gettext("Only a paid invoice has a payment date."))
        return cleaned


def _pdf_max_mb() -> int:
    return settings.INVOICE_PDF_MAX_MB


def _instance_customer(instance: Invoice) -> Customer | None:
    return instance.customer if instance.customer_id else None


# --- The lines --------------------------------------------------------------------------------


class LineServiceField(forms.ModelChoiceField):
    """Offers the customer's services and accepts any, so that the formset can say clearly
    when a line's service belongs to another customer (checked on the server, R-TEAM-5)."""

    def label_from_instance(self, service: Service) -> str:
        return f"{service.service_id} · {service.site_name}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Service.objects.get(pk=int(value))
        except (TypeError, ValueError, Service.DoesNotExist):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class InvoiceLineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        invoice = self.instance
        disputed = {}
        if invoice.pk:
            disputed = dict(
                DisputedLine.objects.filter(line__invoice=invoice)
                .values("line_id")
                .annotate(most=MoneyAmount(Max("amount")))
                .values_list("line_id", "most")
            )
        kept, positions = 0, {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue
            line = form.instance
            if self.can_delete and self._should_delete_form(form):
                if line.pk in disputed:
                    raise ValidationError(
                        gettext("Line %(position)s is disputed by the customer: it stays.")
                        % {"position": line.position}
                    )
                continue
            kept += 1
            service = data.get("service")
            new_service = line.pk is None or "service" in form.changed_data
            if service is not None and new_service and service.customer_id != invoice.customer_id:
                form.add_error(
                    "service",
                    gettext("%(service)s is not a service of this invoice's customer.")
                    % {"service": service.service_id},
                )
            amount = data.get("amount")
            if line.pk in disputed and amount is not None and amount < disputed[line.pk]:
                form.add_error(
                    "amount",
                    gettext(
                        "The customer disputes %(disputed)s of this line: its amount cannot "
                        "go below that."
                    )
                    % {"disputed": money(disputed[line.pk], invoice.currency)},
                )
            position = data.get("position")
            if position in positions:
                form.add_error("position", gettext("Two lines have this number."))
            positions[position] = form
        if kept == 0:
            raise ValidationError(gettext("An invoice has at least one line."))


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    formset = InvoiceLineFormSet
    fields = ["position", "service", "description", "quantity", "amount"]
    extra = 1
    ordering = ["position", "id"]

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service":
            invoice_id, customer_id = _invoice_and_customer(request)
            services_offered = Q(customer_id=customer_id)
            if invoice_id is not None:
                services_offered |= Q(invoice_lines__invoice_id=invoice_id)
            kwargs["queryset"] = (
                Service.objects.filter(services_offered).distinct().order_by("service_id")
            )
            kwargs["form_class"] = LineServiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _invoice_and_customer(request) -> tuple[int | None, int | None]:
    """The invoice being changed and its customer, else the customer chosen for a new one."""
    cached = getattr(request, "_billing_invoice_customer", None)
    if cached is not None:
        return cached
    invoice_id = customer_id = None
    match = request.resolver_match
    object_id = match.kwargs.get("object_id") if match else None
    if object_id and str(object_id).isdigit():
        invoice_id = int(object_id)
        customer_id = (
            Invoice.objects.filter(pk=invoice_id).values_list("customer_id", flat=True).first()
        )
    else:
        chosen = request.POST.get("customer") or request.GET.get("customer") or ""
        customer_id = int(chosen) if chosen.isdigit() else None
    request._billing_invoice_customer = (invoice_id, customer_id)
    return invoice_id, customer_id


# --- The admin --------------------------------------------------------------------------------


class CustomerChoiceForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.order_by("display_name")
    )


@admin.register(Invoice)
class InvoiceAdmin(InvoiceImportMixin, KeepHistoryMixin, admin.ModelAdmin):
    # Requests, credits and PO requests point at an invoice: it stays (a credit corrects it).
    history_from = ("billing.BillingRequest", "billing.Credit", "billing.PurchaseOrderRequest")
    form = InvoiceAdminForm
    inlines = [InvoiceLineInline]
    list_display = [
        "customer",
        "number",
        "period_display",
        "due_on",
        "currency",
        "total_display",
        "status",
        "has_pdf",
    ]
    list_filter = [
        "status",
        "currency",
        PeriodFilter,
        "customer__country",
        OverdueFilter,
        PdfFilter,
    ]
    search_fields = ["number", "customer__display_name", "customer__legal_name", "customer__tax_id"]
    list_select_related = ["customer"]
    list_per_page = 50
    ordering = ["-period", "-issued_on", "-id"]
    actions = ["mark_paid"]
    readonly_fields = ["subtotal", "total", "source", "created_at", "pdf_file"]
    formfield_overrides = {models.FileField: {"widget": InvoicePdfWidget}}
    change_list_template = "admin/billing/invoice/change_list.html"

    def get_fields(self, request, obj=None):
        fields = [
            "customer",
            "number",
            "period",
            "issued_on",
            "due_on",
            "currency",
            "subtotal",
            "tax",
            "total",
            "status",
            "paid_on",
            "pdf",
        ]
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only staff download through the permission-checked view.
            fields[fields.index("pdf")] = "pdf_file"
        if obj is not None:
            fields += ["source", "created_at"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("customer")  # its lines are on its services
            if obj.requests.exists() or obj.credits.exists():
                fields.append("currency")  # requests and credits are in it
        return fields

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        compact = importing.tax_id_compact(search_term)
        if len(compact) >= 6 and compact.isalnum():
            customers = importing.customers_by_tax_id({compact}).get(compact, [])
            if customers:
                found = found | queryset.filter(customer__in=customers)
        return found, duplicates

    # --- Columns ------------------------------------------------------------------------------
    @admin.display(description=_("period"), ordering="period")
    def period_display(self, obj: Invoice) -> str:
        return formats.date_format(obj.period, "YEAR_MONTH_FORMAT")

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, obj: Invoice) -> str:
        return money(obj.total, obj.currency)

    @admin.display(description=_("PDF"), boolean=True)
    def has_pdf(self, obj: Invoice) -> bool:
        return bool(obj.pdf)

    @admin.display(description=_("PDF"))
    def pdf_file(self, obj: Invoice) -> str:
        if obj is None or not obj.pk or not obj.pdf:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:billing_invoice_pdf", args=[obj.pk]),
            f"{obj.number}.pdf",
        )

    # --- Saving: totals from the lines, by the service ------------------------------------------
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.invoice_totals_recompute(form.instance)

    # --- Actions ------------------------------------------------------------------------------
    @admin.action(description=_("Mark as paid today"), permissions=["change"])
    def mark_paid(self, request, queryset):
        done, skipped = 0, []
        for invoice in queryset.select_related("customer"):
            if invoice.status == Invoice.Status.PAID:
                skipped.append(gettext("%(number)s is already paid.") % {"number": invoice.number})
            elif invoice.status == Invoice.Status.IN_DISPUTE:
                skipped.append(
                    gettext("%(number)s is in dispute: resolve the dispute first.")
                    % {"number": invoice.number}
                )
            else:
                # "Today" in the customer's calendar, like the due date it settles.
                services.invoice_mark_paid(
                    invoice=invoice, paid_on=rules.customer_today(invoice.customer)
                )
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invoice marked as paid.", "%(count)d invoices marked as paid.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )
        for message in skipped:
            self.message_user(request, message, messages.WARNING)

    # --- Pages of their own -------------------------------------------------------------------
    def get_urls(self):
        def view(function, route, name):
            return path(route, self.admin_site.admin_view(function), name=f"billing_invoice_{name}")

        return [
            view(self.import_view, "import/", "import"),
            view(self.overdue_check_view, "overdue-check/", "overdue_check"),
            view(self.pdf_view, "<int:invoice_id>/pdf/", "pdf"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        context = {
            **(extra_context or {}),
            "can_check_overdue": self.has_change_permission(request),
        }
        return super().changelist_view(request, context)

    def add_view(self, request, form_url="", extra_context=None):
        """The customer first, so that the lines offer that customer's services only."""
        if request.method == "GET" and self.has_add_permission(request):
            chooser = CustomerChoiceForm(request.GET if "customer" in request.GET else None)
            if not chooser.is_valid():
                context = {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": gettext("Add an invoice"),
                    "chooser": chooser,
                }
                return TemplateResponse(
                    request, "admin/billing/invoice/choose_customer.html", context
                )
        return super().add_view(request, form_url, extra_context)

    def pdf_view(self, request, invoice_id: int):
        """Staff download: permission-checked, never cached."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        invoice = get_object_or_404(Invoice, pk=invoice_id)
        if not invoice.pdf:
            raise Http404
        return private_download(
            invoice.pdf, filename=f"{invoice.number}.pdf", content_type="application/pdf"
        )

    def overdue_check_view(self, request):
        """Runs the hourly overdue check now (billing.tasks.invoices_mark_overdue)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        marked = services.invoices_mark_overdue()
        self.message_user(
            request,
            ngettext(
                "Overdue check done: %(count)d invoice marked overdue.",
                "Overdue check done: %(count)d invoices marked overdue.",
                marked,
            )
            % {"count": marked},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:billing_invoice_changelist"))
