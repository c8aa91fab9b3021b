"""The read-only inlines of a billing request: the disputed lines and the whole conversation."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.admin.requests.helpers import (
    amount_text,
    attachment_links,
    staff_time,
    status_label,
)
from billing.models import (
    BillingAttachment,
    BillingMessage,
    DisputedLine,
)
from core.admin.inlines import ViewOnlyInline


class ReadOnlyInline(ViewOnlyInline):
    """View-only rows without the noisy per-row title."""

    template = "admin/billing/readonly_inline.html"


class DisputedLineInline(ReadOnlyInline):
    """Each row titled by its line, "Line 2 · Internet 200 Mbps backup"."""

    template = "admin/billing/disputed_lines_inline.html"
    model = DisputedLine
    fields = ("position", "service", "description", "line_amount", "disputed_amount")
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
        return amount_text(obj.line.amount, obj.request.currency, obj.request.customer)

    @admin.display(description=_("disputed amount"))
    def disputed_amount(self, obj: DisputedLine) -> str:
        return amount_text(obj.amount, obj.request.currency, obj.request.customer)


class ConversationInline(ReadOnlyInline):
    """Every entry, both sides: replies, status changes and the internal notes, marked."""

    model = BillingMessage
    fields = ("when", "what", "author", "body", "files")
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
        return attachment_links(obj.attachments.all())
