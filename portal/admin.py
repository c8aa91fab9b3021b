"""Staff admin: questions and suggestions about the portal (R-POR-6)."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import Feedback
from portal.services import feedback_mark_answered

# What the customer wrote, with who and where: read-only evidence, shown first.
_WRITTEN = ("customer", "author", "author_email", "kind", "subject", "message", "page")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["subject", "customer", "kind", "status", "author_email", "created_at"]
    list_filter = ["status", "kind", "language", "customer"]
    search_fields = ["subject", "message", "author__email", "customer__display_name", "page"]
    date_hierarchy = "created_at"
    list_select_related = ["customer", "author"]
    # What the customer wrote is evidence: staff only triage (status, note).
    readonly_fields = [
        *_WRITTEN,
        "language",
        "sent_to",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": list(_WRITTEN)}),
        (_("Delivery"), {"fields": ["language", "sent_to", "created_at"]}),
        (_("Triage"), {"fields": ["status", "staff_note"]}),
    ]
    actions = ["mark_answered"]

    @admin.display(description=_("author's e-mail"), ordering="author__email")
    def author_email(self, obj: Feedback) -> str:
        return obj.author.email

    @admin.action(description=_("Mark as answered"), permissions=["change"])
    def mark_answered(self, request, queryset):
        count = feedback_mark_answered(feedback=queryset)
        self.message_user(
            request,
            gettext("Messages marked as answered: %(count)d.") % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request) -> bool:
        return False
