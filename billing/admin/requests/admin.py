"""Billing Customer Care's side of inquiries, disputes and credit requests (R-TEAM-5, R-BIL-1):
the queue with its filters, the change page with the facts, the disputed lines and the whole
conversation (internal notes marked), and one page per action, each calling billing.services.

Only staff with the change permission on billing requests act (the "Billing" group, and
superusers); Customer Care and the TSC read."""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.admin.actions import posted
from billing.admin.requests.filters import CountryFilter, StatusFilter, TurnFilter
from billing.admin.requests.forms import AnswerForm, CreditForm, StaffMessageForm
from billing.admin.requests.helpers import (
    Status,
    admin_link,
    amount_text,
    attachment_links,
    staff_time,
    status_label,
)
from billing.admin.requests.inlines import ConversationInline, DisputedLineInline
from billing.models import (
    BillingAttachment,
    BillingRequest,
    Credit,
)
from core.admin.actions import ConfirmForm, StaffActionMixin
from core.lib.downloads import private_download
from core.lib.durations import duration_compact

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts
    from django.utils.functional import _StrOrPromise

CREDIT_FIELDSET: tuple["_StrOrPromise", "_FieldOpts"] = (
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
    readonly_fields = flatten_fieldsets(fieldsets)

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
        return amount_text(obj.requested_amount, obj.currency, obj.customer)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: BillingRequest) -> str:
        return status_label(obj.status)

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, obj: BillingRequest) -> str:
        return duration_compact(timezone.now() - obj.created_at, padded=True)

    @admin.display(description=_("received"))
    def received_at(self, obj: BillingRequest) -> str:
        return staff_time(obj.created_at, obj.customer)

    @admin.display(description=_("resolved"))
    def resolved_when(self, obj: BillingRequest) -> str:
        return staff_time(obj.resolved_at, obj.customer)

    @admin.display(description=_("customer"))
    def customer_link(self, obj: BillingRequest) -> str:
        return admin_link("portal_customer", obj.customer, obj.customer.display_name)

    @admin.display(description=_("invoice"))
    def invoice_link(self, obj: BillingRequest) -> str:
        invoice = obj.invoice
        if invoice is None:
            return "—"
        return format_html(
            "{} · {} · {}",
            admin_link("billing_invoice", invoice, invoice.number),
            amount_text(invoice.total, invoice.currency, obj.customer),
            invoice.get_status_display(),
        )

    @admin.display(description=_("trouble ticket"))
    def ticket_link(self, obj: BillingRequest) -> str:
        return admin_link("tickets_ticket", obj.ticket, obj.ticket.number if obj.ticket else "")

    @admin.display(description=_("service"))
    def service_link(self, obj: BillingRequest) -> str:
        service = obj.service
        return admin_link("portal_service", service, service.service_id if service else "")

    @admin.display(description=_("outage"))
    def outage_window(self, obj: BillingRequest) -> str:
        if not obj.outage_start and not obj.outage_end:
            return "—"

        def local(value):
            return staff_time(value, obj.customer) if value else "…"

        return format_html("{}<br>– {}", local(obj.outage_start), local(obj.outage_end))

    @admin.display(description=_("attachments"))
    def request_files(self, obj: BillingRequest) -> str:
        return attachment_links(obj.attachments.filter(message__isnull=True)) or "—"

    @admin.display(description=_("credit"))
    def credit_display(self, obj: BillingRequest) -> str:
        credit = Credit.objects.select_related("invoice", "issued_by").filter(request=obj).first()
        if credit is None:
            return "—"
        text = gettext("%(amount)s on invoice %(invoice)s, by %(staff)s") % {
            "amount": amount_text(credit.amount, credit.currency, obj.customer),
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
            "amount_asked": amount_text(obj.requested_amount, obj.currency, obj.customer),
            "received_at": staff_time(obj.created_at, obj.customer),
            "resolved_at": staff_time(obj.resolved_at, obj.customer) if obj.resolved_at else "",
        }

    def _page(self, name: str, request, request_obj, *, submit: str, extra=None, **kwargs):
        """StaffActionMixin's flow, on this action's own template (its explanation)."""
        response = self._action(request, request_obj, **kwargs)
        if isinstance(response, TemplateResponse):
            assert response.context_data is not None  # StaffActionMixin gives one
            response.template_name = f"admin/billing/request_{name}.html"
            response.context_data.update({"submit_label": submit, **(extra or {})})
        return response

    def _disputed_rows(self, request_obj: BillingRequest) -> list[dict]:
        return [
            {
                "position": row.line.position,
                "description": row.line.description,
                "line_amount": amount_text(
                    row.line.amount, request_obj.currency, request_obj.customer
                ),
                "amount": amount_text(row.amount, request_obj.currency, request_obj.customer),
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
