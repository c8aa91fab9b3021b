"""Billing Customer Care's side of inquiries, disputes and credit requests (R-TEAM-5, R-BIL-1):
the queue with its filters, the change page with the facts, the disputed lines and the whole
conversation (internal notes marked), and one page per action, each calling billing.services.

Only staff with the change permission on billing requests act (the "Billing" group, and
superusers); Customer Care and the TSC read. The credits are a read-only list: they are issued
from a request, never edited."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing import rules, services
from billing.models import (
    BillingAttachment,
    BillingMessage,
    BillingRequest,
    Credit,
    DisputedLine,
    Invoice,
)
from billing.money import MoneyAmount, money
from core.admin.actions import StaffActionMixin
from core.lib.downloads import private_download
from core.models import Country
from tickets.admin.helpers import duration_text, posted
from tickets.forms import MultipleFileField

Status = BillingRequest.Status
# Staff read the customer's "Waiting for you" as what it is for them.
STAFF_STATUS_LABELS = {Status.WAITING: _("Waiting for the customer")}


def status_label(status: str) -> str:
    return str(STAFF_STATUS_LABELS.get(status, Status(status).label)) if status else ""


def _amount(value, currency: str, customer) -> str:
    return money(value, currency, country=customer.country) if value is not None else "—"


def staff_time(value, customer) -> str:
    """A moment as staff read it, in their own timezone and named, then on the customer's wall
    clock: "2026-11-28 17:43 UTC · 14:43 America/Argentina/Buenos_Aires" (the date repeated
    only when it differs; one time when both zones are the same)."""
    if value is None:
        return "—"
    here_name = timezone.get_current_timezone_name()
    here = timezone.localtime(value)
    text = f"{here:%Y-%m-%d %H:%M} {here_name}"
    there_name = rules.customer_zone(customer)
    if there_name == here_name:
        return text
    there = timezone.localtime(value, ZoneInfo(there_name))
    there_text = f"{there:%H:%M}" if there.date() == here.date() else f"{there:%Y-%m-%d %H:%M}"
    return f"{text} · {there_text} {there_name}"


def _admin_link(name: str, obj, text) -> str:
    if obj is None:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse(f"admin:{name}_change", args=[obj.pk]), text)


def _attachment_links(attachments) -> str:
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (reverse("admin:billing_billingrequest_attachment", args=[a.reference]), a.filename)
            for a in attachments
        ),
    )


# --- Filters --------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(value, status_label(value)) for value in Status.values]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class TurnFilter(admin.SimpleListFilter):
    """Whose move it is on an open request: ours (received, in analysis) or the customer's."""

    title = _("waiting for")
    parameter_name = "turn"

    def lookups(self, request, model_admin):
        return [("us", _("Waiting for us")), ("customer", _("Waiting for the customer"))]

    def queryset(self, request, queryset):
        if self.value() == "us":
            return queryset.filter(status__in=[Status.RECEIVED, Status.IN_ANALYSIS])
        if self.value() == "customer":
            return queryset.filter(status=Status.WAITING)
        return queryset


class CountryFilter(admin.SimpleListFilter):
    title = _("customer's country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        used = set(model_admin.model.objects.values_list("customer__country", flat=True))
        return [(code, label) for code, label in Country.choices if code in used]

    def queryset(self, request, queryset):
        return queryset.filter(customer__country=self.value()) if self.value() else queryset


# --- Forms of the action pages --------------------------------------------------------------


class StaffMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("Keep the status")),
            (Status.IN_ANALYSIS, _("In analysis")),
            (Status.WAITING, _("Waiting for the customer (ask them for something)")),
        ],
        required=False,
    )
    internal = forms.BooleanField(
        label=_("Internal note"),
        required=False,
        help_text=_(
            "Staff only: the customer never sees it and nobody is notified. It cannot change "
            "the status."
        ),
    )
    attachments = MultipleFileField(label=_("Attachments"))


class CreditForm(forms.Form):
    required_css_class = "required"

    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    # Required, never guessed: the request's invoice is chosen beforehand, and an empty choice
    # is refused with this message rather than falling back on anything.
    invoice = forms.ModelChoiceField(
        label=_("Invoice to credit"),
        queryset=Invoice.objects.none(),
        empty_label=_("— Choose the invoice —"),
        error_messages={"required": _("Choose the invoice the credit applies to.")},
    )
    answer = forms.CharField(
        label=_("Answer to the customer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Empty: the customer reads the amount and the invoice."),
    )
    override = forms.BooleanField(
        label=_("Credit more than the customer asked for"),
        required=False,
        help_text=_(
            "Audited: the amount, the amount asked for and your reason are recorded in the "
            "audit log under your name."
        ),
    )
    override_reason = forms.CharField(
        label=_("Why more than asked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, request_obj: BillingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        customer = request_obj.customer
        invoices = Invoice.objects.filter(customer=customer).annotate(
            credited=MoneyAmount(Sum("credits__amount"))
        )
        if request_obj.currency:
            invoices = invoices.filter(currency=request_obj.currency)
        field = self.fields["invoice"]
        field.queryset = invoices.order_by("-period", "-id")
        field.label_from_instance = lambda invoice: self._invoice_label(invoice, customer)
        field.initial = request_obj.invoice_id
        if request_obj.invoice_id:
            field.help_text = gettext(
                "The request's invoice, %(number)s, is chosen. Choose another of the customer's "
                "invoices to apply the credit there."
            ) % {"number": request_obj.invoice.number}
        else:
            field.help_text = gettext(
                "The request names no invoice: choose the one the credit applies to."
            )
        self.fields["amount"].initial = request_obj.requested_amount
        if request_obj.requested_amount is not None:
            self.fields["amount"].help_text = gettext(
                "The customer asked for %(amount)s. More needs the override and a reason."
            ) % {"amount": _amount(request_obj.requested_amount, request_obj.currency, customer)}

    @staticmethod
    def _invoice_label(invoice: Invoice, customer) -> str:
        text = gettext("%(number)s · %(period)s · total %(total)s · %(status)s") % {
            "number": invoice.number,
            "period": invoice.period.strftime("%Y-%m"),
            "total": _amount(invoice.total, invoice.currency, customer),
            "status": invoice.get_status_display(),
        }
        if invoice.credited:
            text += " · " + gettext("%(amount)s already credited") % {
                "amount": _amount(invoice.credited, invoice.currency, customer)
            }
        return text


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the customer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class ConfirmForm(forms.Form):
    pass


# --- Inlines --------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """Rows to read: no "Add another", no delete box, no noisy per-row title."""

    template = "admin/billing/readonly_inline.html"
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DisputedLineInline(ReadOnlyInline):
    """Each row titled by its line, "Line 2 · Internet 200 Mbps backup"."""

    template = "admin/billing/disputed_lines_inline.html"
    model = DisputedLine
    fields = ["position", "service", "description", "line_amount", "disputed_amount"]
    readonly_fields = fields
    verbose_name_plural = _("Disputed lines")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("line__service", "request__customer")

    @admin.display(description=_("line"))
    def position(self, obj: DisputedLine) -> int:
        return obj.line.position

    @admin.display(description=_("service"))
    def service(self, obj: DisputedLine) -> str:
        return obj.line.service.service_id if obj.line.service else "—"

    @admin.display(description=_("description"))
    def description(self, obj: DisputedLine) -> str:
        return obj.line.description

    @admin.display(description=_("line amount"))
    def line_amount(self, obj: DisputedLine) -> str:
        return _amount(obj.line.amount, obj.request.currency, obj.request.customer)

    @admin.display(description=_("disputed amount"))
    def disputed_amount(self, obj: DisputedLine) -> str:
        return _amount(obj.amount, obj.request.currency, obj.request.customer)


class ConversationInline(ReadOnlyInline):
    """Every entry, both sides: replies, status changes and the internal notes, marked."""

    model = BillingMessage
    fields = ["when", "what", "author", "body", "files"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    verbose_name = _("conversation entry")
    verbose_name_plural = _("Conversation (internal notes included)")

    def get_queryset(self, request):
        files = BillingAttachment.objects.order_by("created_at", "id")
        return (
            super()
            .get_queryset(request)
            .select_related("author", "request__customer")
            .prefetch_related(Prefetch("attachments", queryset=files))
        )

    @admin.display(description=_("when"))
    def when(self, obj: BillingMessage) -> str:
        return staff_time(obj.created_at, obj.request.customer)

    @admin.display(description=_("what"))
    def what(self, obj: BillingMessage) -> str:
        if obj.internal:
            return format_html(
                '<strong class="billing-internal">{}</strong>',
                gettext("Internal note (staff only)"),
            )
        side = gettext("Billing Customer Care") if obj.from_provider else gettext("Customer")
        if obj.status:
            return gettext("%(side)s · status: %(status)s") % {
                "side": side,
                "status": status_label(obj.status),
            }
        return side

    @admin.display(description=_("files"))
    def files(self, obj: BillingMessage) -> str:
        return _attachment_links(obj.attachments.all())


# --- The request admin ----------------------------------------------------------------------


CREDIT_FIELDSET = (
    _("Credit request"),
    {"fields": ["ticket_link", "service_link", "outage_window"]},
)


@admin.register(BillingRequest)
class BillingRequestAdmin(StaffActionMixin, admin.ModelAdmin):
    action_template = "admin/billing/request_action.html"
    action_select_related = ("customer", "invoice", "requested_by")
    change_form_template = "admin/billing/request_change_form.html"

    list_display = [
        "number",
        "customer",
        "kind",
        "invoice",
        "amount_asked",
        "status_display",
        "age",
    ]
    list_filter = [StatusFilter, TurnFilter, "kind", "outcome", CountryFilter]
    search_fields = [
        "number",
        "customer__display_name",
        "customer__legal_name",
        "invoice__number",
        "subject",
    ]
    list_select_related = ["customer", "invoice"]
    list_per_page = 50
    date_hierarchy = "created_at"
    inlines = [DisputedLineInline, ConversationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "customer_link",
                    "kind",
                    "status_display",
                    "invoice_link",
                    "amount_asked",
                    "subject",
                    "description",
                    "request_files",
                    "requested_by",
                    "received_at",
                ]
            },
        ),
        CREDIT_FIELDSET,
        (
            _("Resolution"),
            {"fields": ["outcome", "outcome_reason", "resolved_when", "credit_display"]},
        ),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("customer", "invoice", "ticket", "service", "requested_by")
        )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.kind != BillingRequest.Kind.CREDIT:
            return [fieldset for fieldset in self.fieldsets if fieldset is not CREDIT_FIELDSET]
        return self.fieldsets

    def get_inlines(self, request, obj):
        if obj is not None and obj.kind != BillingRequest.Kind.DISPUTE:
            return [ConversationInline]
        return self.inlines

    # --- Columns and read-only facts --------------------------------------------------------
    @admin.display(description=_("amount asked for"), ordering="requested_amount")
    def amount_asked(self, obj: BillingRequest) -> str:
        return _amount(obj.requested_amount, obj.currency, obj.customer)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: BillingRequest) -> str:
        return status_label(obj.status)

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, obj: BillingRequest) -> str:
        return duration_text(timezone.now() - obj.created_at)

    @admin.display(description=_("received"))
    def received_at(self, obj: BillingRequest) -> str:
        return staff_time(obj.created_at, obj.customer)

    @admin.display(description=_("resolved"))
    def resolved_when(self, obj: BillingRequest) -> str:
        return staff_time(obj.resolved_at, obj.customer)

    @admin.display(description=_("customer"))
    def customer_link(self, obj: BillingRequest) -> str:
        return _admin_link("portal_customer", obj.customer, obj.customer.display_name)

    @admin.display(description=_("invoice"))
    def invoice_link(self, obj: BillingRequest) -> str:
        invoice = obj.invoice
        if invoice is None:
            return "—"
        return format_html(
            "{} · {} · {}",
            _admin_link("billing_invoice", invoice, invoice.number),
            _amount(invoice.total, invoice.currency, obj.customer),
            invoice.get_status_display(),
        )

    @admin.display(description=_("trouble ticket"))
    def ticket_link(self, obj: BillingRequest) -> str:
        return _admin_link("tickets_ticket", obj.ticket, obj.ticket.number if obj.ticket else "")

    @admin.display(description=_("service"))
    def service_link(self, obj: BillingRequest) -> str:
        service = obj.service
        return _admin_link("portal_service", service, service.service_id if service else "")

    @admin.display(description=_("outage"))
    def outage_window(self, obj: BillingRequest) -> str:
        if not obj.outage_start and not obj.outage_end:
            return "—"

        def local(value):
            return staff_time(value, obj.customer) if value else "…"

        return format_html("{}<br>– {}", local(obj.outage_start), local(obj.outage_end))

    @admin.display(description=_("attachments"))
    def request_files(self, obj: BillingRequest) -> str:
        return _attachment_links(obj.attachments.filter(message__isnull=True)) or "—"

    @admin.display(description=_("credit"))
    def credit_display(self, obj: BillingRequest) -> str:
        credit = Credit.objects.select_related("invoice", "issued_by").filter(request=obj).first()
        if credit is None:
            return "—"
        text = gettext("%(amount)s on invoice %(invoice)s, by %(staff)s") % {
            "amount": _amount(credit.amount, credit.currency, obj.customer),
            "invoice": credit.invoice.number,
            "staff": credit.issued_by.email,
        }
        if credit.override:
            text += " · " + gettext("above the amount asked for (audited): %(reason)s") % {
                "reason": credit.override_reason
            }
        return text

    # --- No edits: everything happens through the action pages ------------------------------
    def has_add_permission(self, request) -> bool:
        return False  # customers raise requests in the portal

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the e-mails and the credits refer to them

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["request_actions"] = self.request_actions(request, obj) if obj else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- What may be done on a request now: the buttons and the pages ask the same -------------
    ACTION_LABELS = {
        "reply": _("Reply / ask the customer"),
        "credit": _("Issue a credit"),
        "answer": _("Resolve without credit / answer"),
        "close": _("Close the request"),
    }

    def may_act(self, request, name: str) -> bool:
        """Permission: the Billing group (change), and the credit needs add_credit too."""
        if not self.has_change_permission(request):
            return False
        return name != "credit" or request.user.has_perm("billing.add_credit")

    @staticmethod
    def action_refusal(name: str, obj: BillingRequest) -> str | None:
        """Why this action cannot work on the request in its state (None: it can). A closed
        request takes nothing; a resolved one may only be closed; a question is never credited
        (R-BIL-1)."""
        values = {"number": obj.number, "status": status_label(obj.status)}
        if name == "close":
            if obj.status == Status.CLOSED:
                return gettext("%(number)s is already closed.") % values
            return None
        if name == "credit" and obj.kind == BillingRequest.Kind.QUESTION:
            return (
                gettext(
                    "%(number)s is a question: it is answered, not credited. Use “Resolve without "
                    "credit / answer”."
                )
                % values
            )
        if obj.is_open:
            return None
        refusals = {
            "reply": _(
                "%(number)s is no longer open (status: %(status)s): nothing more can be sent on it."
            ),
            "credit": _(
                "%(number)s is no longer open (status: %(status)s): no credit can be issued on it."
            ),
            "answer": _(
                "%(number)s is no longer open (status: %(status)s): it cannot be resolved again."
            ),
        }
        return str(refusals[name]) % values

    def request_actions(self, request, obj: BillingRequest) -> list[tuple[str, str, bool]]:
        """The object tools: (url, label, main) for each action this person may take now."""
        return [
            (
                reverse(f"admin:billing_billingrequest_{name}", args=[obj.pk]),
                str(label),
                name == "credit",
            )
            for name, label in self.ACTION_LABELS.items()
            if self.may_act(request, name) and self.action_refusal(name, obj) is None
        ]

    def _request_for(self, request, request_id: int, name: str):
        """The request, or why not: 403 without the permission, 404 unknown; an action its
        state does not allow goes back to the change page with the reason, instead of a form
        that could only fail."""
        request_obj = self.action_object(request, request_id)
        if not self.may_act(request, name):
            raise PermissionDenied
        refusal = self.action_refusal(name, request_obj)
        if refusal is None:
            return request_obj, None
        messages.error(request, refusal)
        return request_obj, redirect(
            reverse("admin:billing_billingrequest_change", args=[request_obj.pk])
        )

    def action_context(self, obj) -> dict:
        return {
            "status_label": status_label(obj.status),
            "amount_asked": _amount(obj.requested_amount, obj.currency, obj.customer),
            "received_at": staff_time(obj.created_at, obj.customer),
            "resolved_at": staff_time(obj.resolved_at, obj.customer) if obj.resolved_at else "",
        }

    def _page(self, name: str, request, request_obj, *, submit: str, extra=None, **kwargs):
        """StaffActionMixin's flow, on this action's own template (its explanation)."""
        response = self._action(request, request_obj, **kwargs)
        if isinstance(response, TemplateResponse):
            response.template_name = f"admin/billing/request_{name}.html"
            response.context_data.update({"submit_label": submit, **(extra or {})})
        return response

    def _disputed_rows(self, request_obj: BillingRequest) -> list[dict]:
        return [
            {
                "position": row.line.position,
                "description": row.line.description,
                "line_amount": _amount(row.line.amount, request_obj.currency, request_obj.customer),
                "amount": _amount(row.amount, request_obj.currency, request_obj.customer),
            }
            for row in request_obj.disputed_lines.select_related("line")
        ]

    # --- Per-request pages ------------------------------------------------------------------
    def get_urls(self):
        def view(function, suffix):
            return path(
                f"<int:request_id>/{suffix}/",
                self.admin_site.admin_view(function),
                name=f"billing_billingrequest_{suffix}",
            )

        return [
            view(self.reply_view, "reply"),
            view(self.credit_view, "credit"),
            view(self.answer_view, "answer"),
            view(self.close_view, "close"),
            path(
                "attachment/<uuid:reference>/",
                self.admin_site.admin_view(self.attachment_view),
                name="billing_billingrequest_attachment",
            ),
        ] + super().get_urls()

    def reply_view(self, request, request_id: int):
        request_obj, refused = self._request_for(request, request_id, "reply")
        if refused:
            return refused
        internal = bool(request.POST.get("internal"))
        return self._page(
            "reply",
            request,
            request_obj,
            submit=gettext("Send"),
            form=StaffMessageForm(posted(request), request.FILES or None),
            title=str(self.ACTION_LABELS["reply"]),
            perform=lambda data: services.billing_request_staff_message(
                request_obj=request_obj,
                staff=request.user,
                body=data["body"],
                status=data["status"],
                internal=data["internal"],
                attachments=data["attachments"],
            ),
            done=gettext("Internal note added; nobody was notified.")
            if internal
            else gettext("Message sent; the customer is being notified."),
        )

    def credit_view(self, request, request_id: int):
        """R-BIL-1: the credit, up to the amount asked unless overridden (audited); only on an
        open request that is not a question."""
        request_obj, refused = self._request_for(request, request_id, "credit")
        if refused:
            return refused
        return self._page(
            "credit",
            request,
            request_obj,
            submit=gettext("Issue the credit"),
            extra={"disputed_lines": self._disputed_rows(request_obj)},
            form=CreditForm(posted(request), request_obj=request_obj),
            title=str(self.ACTION_LABELS["credit"]),
            perform=lambda data: services.credit_issue(
                request_obj=request_obj,
                staff=request.user,
                amount=data["amount"],
                invoice=data["invoice"],
                answer=data["answer"],
                override=data["override"],
                override_reason=data["override_reason"],
            ),
            done=gettext("Credit issued; the customer is being notified."),
        )

    def answer_view(self, request, request_id: int):
        request_obj, refused = self._request_for(request, request_id, "answer")
        if refused:
            return refused
        return self._page(
            "answer",
            request,
            request_obj,
            submit=gettext("Resolve and send the answer"),
            form=AnswerForm(posted(request)),
            title=str(self.ACTION_LABELS["answer"]),
            perform=lambda data: services.billing_request_answer(
                request_obj=request_obj, staff=request.user, answer=data["answer"]
            ),
            done=gettext("Request resolved; the customer is being notified."),
        )

    def close_view(self, request, request_id: int):
        request_obj, refused = self._request_for(request, request_id, "close")
        if refused:
            return refused
        return self._page(
            "close",
            request,
            request_obj,
            submit=gettext("Close the request"),
            form=ConfirmForm(posted(request)),
            title=str(self.ACTION_LABELS["close"]),
            perform=lambda data: services.billing_request_close(
                request_obj=request_obj, staff=request.user
            ),
            done=gettext("Request closed."),
        )

    def attachment_view(self, request, reference):
        """Staff download: permission-checked, always as a download, never cached."""
        if not request.user.has_perm("billing.view_billingattachment"):
            raise PermissionDenied
        attachment = get_object_or_404(BillingAttachment, reference=reference)
        return private_download(
            attachment.file, filename=attachment.filename, content_type=attachment.content_type
        )


# --- Credits: a read-only list ----------------------------------------------------------------


@admin.register(Credit)
class CreditAdmin(admin.ModelAdmin):
    """Issued from a request's "Issue a credit" page; here only read (evidence)."""

    list_display = [
        "request_link",
        "customer",
        "invoice",
        "amount_display",
        "override",
        "issued_by",
        "issued_at",
    ]
    list_filter = ["override", "currency", "request__kind", "request__customer__country"]
    search_fields = [
        "request__number",
        "invoice__number",
        "request__customer__display_name",
        "request__customer__legal_name",
    ]
    list_select_related = ["request__customer", "invoice", "issued_by"]
    date_hierarchy = "issued_at"
    fields = [
        "request_link",
        "customer",
        "invoice_link",
        "amount_display",
        "override",
        "override_reason",
        "issued_by",
        "issued_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("customer"), ordering="request__customer__display_name")
    def customer(self, obj: Credit) -> str:
        return obj.request.customer.display_name

    @admin.display(description=_("billing request"), ordering="request__number")
    def request_link(self, obj: Credit) -> str:
        return _admin_link("billing_billingrequest", obj.request, obj.request.number)

    @admin.display(description=_("applied to invoice"))
    def invoice_link(self, obj: Credit) -> str:
        return _admin_link("billing_invoice", obj.invoice, obj.invoice.number)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Credit) -> str:
        return _amount(obj.amount, obj.currency, obj.request.customer)
