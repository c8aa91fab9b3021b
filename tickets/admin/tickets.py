"""The ticket admin: the queue with the live SLA clock (R-TT-3), actions and per-ticket buttons
that call tickets.services, the timeline with internal notes, the reply form, tickets opened on a
customer's behalf (R-TT-4) and staff downloads."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin.actions import ConfirmForm, StaffActionMixin
from core.admin.inlines import ViewOnlyInline
from core.errors import DomainError
from core.lib.downloads import private_download
from core.lib.durations import duration_compact
from core.models import Service
from tickets import services
from tickets.admin.forms import (
    CancelForm,
    CustomerChoiceForm,
    OpenForm,
    ReplyForm,
    ResolveForm,
    WaitForm,
)
from tickets.admin.helpers import (
    BreachFilter,
    EscalatedFilter,
    QueueFilter,
    StatusFilter,
    clock_text,
    posted,
    status_label,
)
from tickets.models import Attachment, Message, PauseInterval, Ticket
from tickets.sla import ticket_clock


class PauseInline(ViewOnlyInline):
    model = PauseInterval
    fields = ("reason", "started_at", "ended_at", "length", "started_by", "ended_by")
    readonly_fields = fields
    # Pauses come from "waiting for customer" and end with the answer.
    verbose_name_plural = _("Pauses of the SLA clock (waiting for the customer)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("started_by", "ended_by")

    @admin.display(description=_("length"))
    def length(self, obj: PauseInterval) -> str:
        end = obj.ended_at or timezone.now()
        text = duration_compact(end - obj.started_at, padded=True)
        return text if obj.ended_at else gettext("%(time)s, still running") % {"time": text}


class TimelineInline(ViewOnlyInline):
    """Every message: replies from both sides, internal notes, status changes, escalations."""

    model = Message
    fields = ("created_at", "what", "author", "body", "files")
    readonly_fields = fields
    # Rows come from the reply form, which notifies.
    ordering = ["created_at", "id"]
    verbose_name = _("timeline entry")
    verbose_name_plural = _("Timeline")

    def get_queryset(self, request):
        files = Attachment.objects.order_by("created_at", "id")
        return (
            super()
            .get_queryset(request)
            .select_related("author")
            .prefetch_related(Prefetch("attachments", queryset=files))
        )

    @admin.display(description=_("what"))
    def what(self, obj: Message) -> str:
        if obj.kind == Message.Kind.INTERNAL:
            return format_html(
                '<strong class="ticket-internal">{}</strong>', gettext("Internal note")
            )
        if obj.kind == Message.Kind.STATUS:
            return gettext("Status: %(status)s") % {"status": status_label(obj.status)}
        side = gettext("TSC") if obj.from_staff else gettext("Customer")
        return f"{obj.get_kind_display()} · {side}"

    @admin.display(description=_("files"))
    def files(self, obj: Message) -> str:
        return format_html_join(
            " ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:tickets_ticket_attachment", args=[a.reference]), a.filename)
                for a in obj.attachments.all()
            ),
        )


# --- The ticket admin -----------------------------------------------------------------------


@admin.register(Ticket)
class TicketAdmin(StaffActionMixin, admin.ModelAdmin):
    action_template = "admin/tickets/ticket/action.html"

    def action_context(self, obj) -> dict:
        return {"status_label": status_label(obj.status)}

    list_display = [
        "number",
        "customer",
        "first_service",
        "impact",
        "status_display",
        "sla",
        "assignee",
        "opened_at",
    ]
    list_filter = [
        StatusFilter,
        "impact",
        BreachFilter,
        EscalatedFilter,
        QueueFilter,
        ("assignee", admin.RelatedOnlyFieldListFilter),
        "channel",
        "customer",
    ]
    search_fields = [
        "number",
        "services__service_id",
        "customer__display_name",
        "customer__legal_name",
        "subject",
    ]
    list_select_related = ["customer", "assignee"]
    list_per_page = 50
    date_hierarchy = "opened_at"
    actions = ["assign_to_me", "wait_for_customer", "resolve"]
    inlines = [PauseInline, TimelineInline]
    change_form_template = "admin/tickets/ticket/change_form.html"
    change_list_template = "admin/tickets/ticket/change_list.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "customer",
                    "services_display",
                    "impact",
                    "status_display",
                    "channel",
                    "subject",
                    "description",
                    "problem_started_at",
                    "opened_by",
                    "requester",
                    "assignee",
                ]
            },
        ),
        (
            _("On site"),
            {
                "fields": [
                    "site_contact_name",
                    "site_contact_phone",
                    "site_contact_email",
                    "access_hours",
                    "checks_done",
                ]
            },
        ),
        (
            _("SLA clock (R-TT-3)"),
            {
                "fields": [
                    "response_target",
                    "restoration_target",
                    "opened_at",
                    "first_response_at",
                    "sla",
                    "live_deadline",
                    "restored_at",
                    "resolution",
                    "resolved_at",
                    "closed_at",
                    "last_escalated_at",
                ]
            },
        ),
    ]
    # Everything is evidence except the assignee: staff act through the buttons and actions.
    readonly_fields = [name for name in flatten_fieldsets(fieldsets) if name != "assignee"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("services", queryset=Service.objects.order_by("service_id")),
                Prefetch("pauses", queryset=PauseInterval.objects.order_by("started_at")),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    # --- Columns and read-only facts --------------------------------------------------------
    @admin.display(description=_("service"))
    def first_service(self, obj: Ticket) -> str:
        ids = [service.service_id for service in obj.services.all()]
        if not ids:
            return "—"
        return ids[0] if len(ids) == 1 else f"{ids[0]} (+{len(ids) - 1})"

    @admin.display(description=_("services"))
    def services_display(self, obj: Ticket) -> str:
        return ", ".join(service.service_id for service in obj.services.all()) or "—"

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: Ticket) -> str:
        return status_label(obj.status)

    @admin.display(description=_("SLA restoration"), ordering="restoration_deadline")
    def sla(self, obj: Ticket) -> str:
        return clock_text(obj, timezone.now())

    @admin.display(description=_("restoration deadline (live)"))
    def live_deadline(self, obj: Ticket) -> str:
        if obj.status == Ticket.Status.CANCELLED:
            return "—"
        deadline = ticket_clock(obj).deadline
        zone = timezone.get_current_timezone_name()
        return f"{timezone.localtime(deadline):%Y-%m-%d %H:%M} ({zone})"

    # --- Edits: only the assignee, through the service --------------------------------------
    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # tickets are cancelled, never deleted: their e-mails refer to them

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        field = form.base_fields.get("assignee")
        if field is not None:
            # Active staff only (a person who left is not offered, nor is a customer's user);
            # the current assignee stays a valid choice so the ticket can still be saved.
            current = Q(pk=obj.assignee_id) if obj is not None and obj.assignee_id else Q()
            field.queryset = field.queryset.model.objects.filter(
                Q(is_staff=True, is_active=True) | current
            ).order_by("email")
        return form

    def save_model(self, request, obj, form, change):
        if "assignee" not in form.changed_data:
            return
        services.ticket_assign(ticket=obj, staff=obj.assignee)  # None: back to the TSC queue

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {
            **(extra_context or {}),
            "reply_form": ReplyForm(),
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, context)

    # --- Actions ----------------------------------------------------------------------------
    def _report(self, request, done: int, refused: list[str]) -> None:
        if done:
            self.message_user(
                request,
                ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        for error in refused:
            self.message_user(request, error, messages.WARNING)

    def _each(self, request, queryset, perform) -> None:
        done, refused = 0, []
        for ticket in queryset:
            try:
                perform(ticket)
            except DomainError as error:
                refused.append(f"{ticket.number}: {error.message}")
            else:
                done += 1
        self._report(request, done, refused)

    def _bulk_form(self, request, queryset, *, form_class, action: str, title: str, perform):
        """An action with an intermediate page: the form, then the service for each ticket."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._each(request, queryset, lambda ticket: perform(ticket, form.cleaned_data))
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "tickets": queryset,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        status = 400 if "apply" in request.POST else 200
        return TemplateResponse(
            request, "admin/tickets/ticket/bulk_action.html", context, status=status
        )

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset: QuerySet[Ticket]):
        self._each(
            request,
            queryset,
            lambda ticket: services.ticket_assign(ticket=ticket, staff=request.user),
        )

    @admin.action(description=_("Set waiting for the customer"), permissions=["change"])
    def wait_for_customer(self, request, queryset: QuerySet[Ticket]):
        return self._bulk_form(
            request,
            queryset,
            form_class=WaitForm,
            action="wait_for_customer",
            title=gettext("Set waiting for the customer (the SLA clock stops)"),
            perform=lambda ticket, data: services.ticket_wait_for_customer(
                ticket=ticket, reason=data["reason"], actor=request.user, message=data["message"]
            ),
        )

    @admin.action(description=_("Resolve"), permissions=["change"])
    def resolve(self, request, queryset: QuerySet[Ticket]):
        return self._bulk_form(
            request,
            queryset,
            form_class=ResolveForm,
            action="resolve",
            title=gettext("Resolve the tickets"),
            perform=lambda ticket, data: services.ticket_resolve(
                ticket=ticket,
                actor=request.user,
                resolution=data["resolution"],
                restored_at=data["restored_at"],
            ),
        )

    # --- Per-ticket views -------------------------------------------------------------------
    def get_urls(self):
        def view(function, suffix, name):
            return path(
                f"<int:ticket_id>/{suffix}/",
                self.admin_site.admin_view(function),
                name=f"tickets_ticket_{name}",
            )

        return [
            view(self.reply_view, "reply", "reply"),
            view(self.wait_view, "wait", "wait"),
            view(self.resume_view, "resume", "resume"),
            view(self.resolve_view, "resolve", "resolve"),
            view(self.cancel_view, "cancel", "cancel"),
            path(
                "attachment/<uuid:reference>/",
                self.admin_site.admin_view(self.attachment_view),
                name="tickets_ticket_attachment",
            ),
        ] + super().get_urls()

    def reply_view(self, request, ticket_id: int):
        ticket = self.action_object(request, ticket_id)

        def perform(data):
            services.ticket_reply(
                ticket=ticket,
                author=request.user,
                body=data["body"],
                internal=data["kind"] == "internal",
                attachments=data["attachments"],
            )

        form = ReplyForm(posted(request), request.FILES or None)
        return self._action(
            request,
            ticket,
            form=form,
            title=gettext("Reply or add an internal note"),
            perform=perform,
            done=gettext("Internal note added.")
            if request.POST.get("kind") == "internal"
            else gettext("Reply sent; the customer is being notified."),
        )

    def wait_view(self, request, ticket_id: int):
        ticket = self.action_object(request, ticket_id)
        return self._action(
            request,
            ticket,
            form=WaitForm(posted(request)),
            title=gettext("Set waiting for the customer (the SLA clock stops)"),
            perform=lambda data: services.ticket_wait_for_customer(
                ticket=ticket, reason=data["reason"], actor=request.user, message=data["message"]
            ),
            done=gettext("Waiting for the customer; the SLA clock is paused."),
        )

    def resume_view(self, request, ticket_id: int):
        ticket = self.action_object(request, ticket_id)
        return self._action(
            request,
            ticket,
            form=ConfirmForm(posted(request)),
            title=gettext("Resume work (the SLA clock runs again)"),
            perform=lambda data: services.ticket_resume(ticket=ticket, actor=request.user),
            done=gettext("Back in progress; the SLA clock runs again."),
        )

    def resolve_view(self, request, ticket_id: int):
        ticket = self.action_object(request, ticket_id)
        return self._action(
            request,
            ticket,
            form=ResolveForm(posted(request)),
            title=gettext("Resolve the ticket"),
            perform=lambda data: services.ticket_resolve(
                ticket=ticket,
                actor=request.user,
                resolution=data["resolution"],
                restored_at=data["restored_at"],
            ),
            done=gettext("Ticket resolved; the customer is being notified."),
        )

    def cancel_view(self, request, ticket_id: int):
        ticket = self.action_object(request, ticket_id)
        return self._action(
            request,
            ticket,
            form=CancelForm(posted(request)),
            title=gettext("Cancel the ticket"),
            perform=lambda data: services.ticket_cancel(
                ticket=ticket, actor=request.user, reason=data["reason"]
            ),
            done=gettext("Ticket cancelled."),
        )

    def attachment_view(self, request, reference):
        """Staff download: permission-checked, always as a download, never cached."""
        if not request.user.has_perm("tickets.view_attachment"):
            raise PermissionDenied
        attachment = get_object_or_404(Attachment, reference=reference)
        return private_download(
            attachment.file, filename=attachment.filename, content_type=attachment.content_type
        )

    # --- Open a ticket for a customer who phoned (R-TT-4) -----------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        chooser = CustomerChoiceForm(request.GET if "customer" in request.GET else None)
        if not chooser.is_valid():
            return self._open_page(request, chooser=chooser, form=None, customer=None)
        customer = chooser.cleaned_data["customer"]
        form = OpenForm(posted(request), request.FILES or None, customer=customer)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                ticket = services.ticket_open(
                    customer=customer,
                    opened_by=request.user,
                    channel=Ticket.Channel.PHONE,
                    services=list(data.pop("services")),
                    **data,
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    gettext("Ticket %(number)s opened for %(customer)s; they are being notified.")
                    % {"number": ticket.number, "customer": customer.display_name},
                )
                return HttpResponseRedirect(
                    reverse("admin:tickets_ticket_change", args=[ticket.pk])
                )
        return self._open_page(request, chooser=None, form=form, customer=customer)

    def _open_page(self, request, *, chooser, form, customer):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Open a ticket for a customer"),
            "chooser": chooser,
            "form": form,
            "customer": customer,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/tickets/ticket/open.html", context, status=status)
