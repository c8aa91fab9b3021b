from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent, Customer, Invitation, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "services", "orders", "tickets", "changes", "billing", "is_active"]
    autocomplete_fields = ["user"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "legal_name",
        "country",
        "segment",
        "language",
        "require_mfa",
        "created_at",
    ]
    list_filter = ["country", "segment", "require_mfa"]
    search_fields = ["display_name", "legal_name", "tax_id", "reference"]
    readonly_fields = ["reference", "created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "customer",
        "role",
        "services",
        "orders",
        "tickets",
        "changes",
        "billing",
        "is_active",
    ]
    list_filter = ["role", "is_active", "customer"]
    search_fields = ["user__email", "customer__display_name"]
    autocomplete_fields = ["user", "customer"]
    list_select_related = ["user", "customer"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone", "language", "timezone", "last_customer"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "customer",
        "role",
        "created_at",
        "expires_at",
        "sent_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "customer"]
    search_fields = ["email", "customer__display_name"]
    list_select_related = ["customer"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the audit log is evidence."""

    list_display = ["created_at", "customer", "actor_email", "action", "target_email", "ip_address"]
    list_filter = ["action", "customer"]
    search_fields = ["actor_email", "target_email", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["customer"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
