"""Staff admin: the outbox (every e-mail, its tries and errors) and customers' notification
contacts. Rows are evidence, so staff act through actions, never by editing them."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.models import Notification, NotificationContact
from core.services.notification_contacts import contact_bounce_record
from core.services.outbox import notification_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "status",
        "subject_reference",
        "to_email",
        "template",
        "attempts",
        "short_error",
    ]
    list_filter = ["status", "relay_fault", "kind", "template", "reason", "language"]
    search_fields = ["to_email", "subject_reference", "customer__display_name", "subject", "key"]
    date_hierarchy = "created_at"
    list_select_related = ["customer"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["retry"]

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Retry the selected failed e-mails"), permissions=["change"])
    def retry(self, request, queryset: QuerySet[Notification]):
        retried = skipped = 0
        for notification in queryset:
            try:
                notification_retry(notification=notification)
            except DomainError:
                skipped += 1
            else:
                retried += 1
        if retried:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail will be sent again.",
                    "%(count)d e-mails will be sent again.",
                    retried,
                )
                % {"count": retried},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail had not failed and was left alone.",
                    "%(count)d e-mails had not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Read-only, but "change" permission is what allows the retry action.
        extra_context = {**(extra_context or {}), "show_save": False}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(NotificationContact)
class NotificationContactAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "customer",
        "language",
        "kinds_display",
        "confirmed_at",
        "bounced_at",
    ]
    list_filter = ["orders", "tickets", "maintenance", "billing", "language", "customer"]
    search_fields = ["name", "email", "customer__display_name"]
    list_select_related = ["customer"]
    readonly_fields = [
        "customer",
        "name",
        "email",
        "language",
        "orders",
        "tickets",
        "maintenance",
        "billing",
        "confirmed_at",
        "confirmation_sent_at",
        "bounced_at",
        "bounce_reason",
        "created_by",
        "created_at",
        "updated_at",
    ]
    actions = ["mark_bounced"]

    @admin.display(description=_("notified about"))
    def kinds_display(self, obj: NotificationContact) -> str:
        return ", ".join(str(label) for label in obj.kind_labels)

    def has_add_permission(self, request) -> bool:
        return False  # the customer's administrator keeps the list (R-GCR-4)

    @admin.action(
        description=_("Mark as bounced (tell the customer's administrators)"),
        permissions=["change"],
    )
    def mark_bounced(self, request, queryset: QuerySet[NotificationContact]):
        reason = gettext("Reported as bouncing by %(who)s on %(day)s") % {
            "who": request.user.email,
            "day": timezone.localdate().isoformat(),
        }
        for contact in queryset.filter(bounced_at__isnull=True):
            contact_bounce_record(
                customer_id=contact.customer_id, email=contact.email, reason=reason
            )
        self.message_user(request, gettext("Done."), messages.SUCCESS)
