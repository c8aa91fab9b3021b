from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.admin.team import TeamAssignmentInline
from portal.models import Area, AuditEvent, Customer, Invitation, Level, Membership, User

admin.site.site_header = format_lazy(
    _("{provider} staff administration"), provider=settings.PROVIDER_NAME
)
admin.site.site_title = admin.site.site_header
admin.site.index_title = _("Customer Portal")
admin.site.site_url = None  # staff have no customer portal of their own


class MembershipAdminForm(forms.ModelForm):
    """Staff edits keep the portal's rule: a customer always has an active administrator."""

    class Meta:
        model = Membership
        fields = ["user", "customer", "role", *Membership.AREA_FIELDS, "is_active"]

    def clean(self):
        cleaned = super().clean()
        before = self.instance
        if before.pk and before.is_admin and before.is_active:
            stays_admin = cleaned.get("role") == Membership.Role.ADMIN and cleaned.get("is_active")
            others = Membership.objects.filter(
                customer_id=before.customer_id, role=Membership.Role.ADMIN, is_active=True
            ).exclude(pk=before.pk)
            if not stays_admin and not others.exists():
                raise _last_admin_error(before.customer)
        return cleaned


def _last_admin_error(customer: Customer) -> forms.ValidationError:
    return forms.ValidationError(
        _("%(customer)s needs at least one active portal administrator: appoint another one first.")
        % {"customer": customer.display_name}
    )


class MembershipInlineFormSet(BaseInlineFormSet):
    """Rows are judged together: demoting one administrator while deactivating the other, or
    deleting them, must not leave a customer without one (R-POR-5)."""

    def clean(self):
        super().clean()
        rows = [f for f in self.forms if f.has_changed() or f.instance.pk]
        on_page = {f.instance.pk for f in rows if f.instance.pk}
        kept_admins: dict[int, int] = {}
        # A row moved to another customer still counts for the one it leaves.
        customers = set(
            Membership.objects.filter(pk__in=on_page).values_list("customer_id", flat=True)
        )
        for form in rows:
            data = getattr(form, "cleaned_data", None) or {}
            customer = data.get("customer") or getattr(form.instance, "customer", None)
            if customer is None:
                continue
            customers.add(customer.pk)
            stays = (
                not data.get("DELETE")
                and data.get("role") == Membership.Role.ADMIN
                and data.get("is_active")
            )
            if stays:
                kept_admins[customer.pk] = kept_admins.get(customer.pk, 0) + 1
        for customer in Customer.objects.filter(pk__in=customers):
            admins = Membership.objects.filter(
                customer=customer, role=Membership.Role.ADMIN, is_active=True
            )
            had_admin = admins.exists()
            elsewhere = admins.exclude(pk__in=on_page).count()
            if had_admin and elsewhere + kept_admins.get(customer.pk, 0) == 0:
                raise _last_admin_error(customer)


def _is_last_active_admin(membership: Membership | None) -> bool:
    if membership is None or not (membership.is_admin and membership.is_active):
        return False
    return not (
        Membership.objects.filter(
            customer_id=membership.customer_id, role=Membership.Role.ADMIN, is_active=True
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _membership_audit(request, membership: Membership, before: dict | None) -> None:
    """Record a staff change to a membership like the portal records its own (R-POR-5)."""
    after = {"role": membership.role, **membership.levels()}
    was_active = before.pop("is_active") if before else None
    if before and before != after:
        services.audit_record(
            action=AuditEvent.Action.PERMISSIONS_CHANGE,
            customer=membership.customer,
            actor=request.user,
            target_email=membership.user.email,
            detail={"before": before, "after": after, "by": "staff"},
            request=request,
        )
    if was_active is not None and was_active != membership.is_active:
        action = (
            AuditEvent.Action.REACTIVATE if membership.is_active else AuditEvent.Action.DEACTIVATE
        )
        services.audit_record(
            action=action,
            customer=membership.customer,
            actor=request.user,
            target_email=membership.user.email,
            detail={"by": "staff"},
            request=request,
        )
        if not membership.is_active:
            user = membership.user
            transaction.on_commit(lambda: services.sessions_end_unless_member_elsewhere(user))
    # Its maintenance calendar addresses stop with the access, as in the portal.
    ended = was_active and not membership.is_active
    lost_changes = (
        was_active and before[Area.CHANGES] != Level.NONE and not membership.can(Area.CHANGES)
    )
    if ended or lost_changes:
        services.membership_feeds_revoke(membership=membership)


def _snapshot(membership: Membership) -> dict | None:
    if not membership.pk:
        return None
    stored = Membership.objects.get(pk=membership.pk)
    return {"role": stored.role, **stored.levels(), "is_active": stored.is_active}


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipAdminForm
    formset = MembershipInlineFormSet
    extra = 0
    fields = ["user", "role", "services", "orders", "tickets", "changes", "billing", "is_active"]
    autocomplete_fields = ["user"]


class MembershipAuditMixin:
    """Parents of MembershipInline: staff edits in the inline are audited too."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        snapshots = {f.instance.pk: _snapshot(f.instance) for f in formset.forms if f.instance.pk}
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
            _membership_audit(request, membership, snapshots.get(membership.pk))


@admin.register(Customer)
class CustomerAdmin(MembershipAuditMixin, admin.ModelAdmin):
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
    inlines = [MembershipInline, TeamAssignmentInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
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

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not _is_last_active_admin(obj)

    def save_model(self, request, obj, form, change):
        before = _snapshot(obj) if change else None
        super().save_model(request, obj, form, change)
        _membership_audit(request, obj, before)


@admin.register(User)
class UserAdmin(MembershipAuditMixin, BaseUserAdmin):
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


# Each area registers its own admin classes.
from portal.admin import feedback, inventory, notifications, team  # noqa: E402, F401
