from allauth.account.admin import EmailAddressAdmin as BaseEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as BaseAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.utils.decorators import method_decorator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters

from core.admin.history import KeepHistoryMixin, ReadOnlyAdminMixin
from core.errors import DomainError
from core.models import AuditEvent, Customer, Invitation, Membership, User
from core.services import staff as staff_services

admin.site.site_header = format_lazy(
    _("{provider} staff administration"), provider=settings.PROVIDER_NAME
)
admin.site.site_title = admin.site.site_header
admin.site.index_title = _("Customer Portal")
admin.site.site_url = None  # staff have no customer portal of their own


# Areas add their inlines to the customer's page (the account team does) through this list, so the
# core never imports them.
CUSTOMER_INLINES: list[type[admin.options.InlineModelAdmin]] = []


class MembershipAdminForm(forms.ModelForm):
    """Staff edits keep the portal's rule: a customer always has an active administrator."""

    class Meta:
        model = Membership
        fields = ["user", "customer", "role", *Membership.AREA_FIELDS, "is_active"]

    def clean(self):
        cleaned = super().clean()
        before = self.instance
        user = cleaned.get("user") or (before.user if before.user_id else None)
        joining = not before.pk or "user" in self.changed_data
        if user is not None and joining and (user.is_staff or user.is_superuser):
            # Staff read every customer in the admin; a membership would also let them act in
            # one customer's portal as that customer (ARCHITECTURE "Tenancy").
            raise forms.ValidationError(
                _("%(email)s is the provider's staff: staff are not members of a customer.")
                % {"email": user.email}
            )
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

    def clean(self) -> None:
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


class MembershipInline(admin.TabularInline):
    """On the customer page: its people."""

    model = Membership
    form = MembershipAdminForm
    formset = MembershipInlineFormSet
    extra = 0
    fields = ["user", "role", *Membership.AREA_FIELDS, "is_active"]
    autocomplete_fields = ["user"]


class UserMembershipInline(MembershipInline):
    """On a person's page: the customers they belong to."""

    fields = ["customer", "role", *Membership.AREA_FIELDS, "is_active"]
    autocomplete_fields = ["customer"]


class MembershipAuditMixin:
    """Parents of the membership inlines: staff edits there are audited as on the membership
    page (added, moved, re-levelled, deactivated or deleted)."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        snapshots = {
            f.instance.pk: staff_services.membership_snapshot(f.instance)
            for f in formset.forms
            if f.instance.pk
        }
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                staff_services.membership_staff_delete_record(
                    membership=deleted.instance, actor=request.user, request=request
                )
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
            staff_services.membership_staff_edit_record(
                membership=membership,
                before=snapshots.get(membership.pk),
                actor=request.user,
                request=request,
            )


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
    inlines = [MembershipInline]

    def get_inlines(self, request, obj):
        return [*self.inlines, *CUSTOMER_INLINES]

    def save_model(self, request, obj, form, change):
        before = Customer.objects.filter(pk=obj.pk).values_list("require_mfa", flat=True).first()
        super().save_model(request, obj, form, change)
        if change:
            staff_services.customer_staff_edit_record(
                customer=obj, before_require_mfa=before, actor=request.user, request=request
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "customer", "role", *Membership.AREA_FIELDS, "is_active"]
    list_filter = ["role", "is_active", "customer"]
    search_fields = ["user__email", "customer__display_name"]
    autocomplete_fields = ["user", "customer"]
    list_select_related = ["user", "customer"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # One at a time: a bulk delete would not check the last-administrator rule per row.
        return (
            obj is not None
            and super().has_delete_permission(request, obj)
            and not _is_last_active_admin(obj)
        )

    def save_model(self, request, obj, form, change):
        before = staff_services.membership_snapshot(obj) if change else None
        super().save_model(request, obj, form, change)
        staff_services.membership_staff_edit_record(
            membership=obj, before=before, actor=request.user, request=request
        )

    def delete_model(self, request, obj):
        staff_services.membership_staff_delete_record(
            membership=obj, actor=request.user, request=request
        )
        super().delete_model(request, obj)


# What an account may do: a superuser's business only (review S1). Other staff see these read
# only, and a POST that carries one of them is refused rather than silently ignored.
POWER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")
# Only a superuser chooses a password in the admin; other staff send the person a link.
PASSWORD_FIELDS = ("password1", "password2", "usable_password")


class PersonEmailMixin:
    """One address, one person. Sign-in ignores case, so "Ana@Acme.example" is the address of
    whoever has "ana@acme.example" (as a user or as one of allauth's sign-in addresses); the
    portal keeps addresses in lower case."""

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        pk = self.instance.pk
        users = User.objects.filter(email__iexact=email).exclude(pk=pk)
        addresses = EmailAddress.objects.filter(email__iexact=email).exclude(user_id=pk)
        if users.exists() or addresses.exists():
            raise forms.ValidationError(
                _("%(email)s is already the sign-in address of another person.") % {"email": email}
            )
        return email


class PersonChangeForm(PersonEmailMixin, UserChangeForm):
    pass


class PersonCreationForm(PersonEmailMixin, AdminUserCreationForm):
    """A superuser's add form: the address and, if they choose, a password."""


class PersonAddForm(PersonEmailMixin, forms.ModelForm):
    """Other staff add a customer's person without a password: the person chooses one through
    the link they are sent (UserAdmin.save_related), so no staff member ever knows it."""

    class Meta:
        model = User
        fields = ["email", "full_name", "language"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


def _is_staff_account(user: User | None) -> bool:
    return user is not None and (user.is_staff or user.is_superuser)


@admin.register(User)
class UserAdmin(KeepHistoryMixin, MembershipAuditMixin, BaseUserAdmin):
    """The provider's staff and the customers' people.

    A superuser changes anything. Other staff with change_user edit a customer's person only:
    name, e-mail, language and active flag, the person's memberships, and send them a password
    reset link; a staff account (their own included) is read only to them, so they can neither
    grant themselves a power nor take over a colleague's or a superuser's sign-in.
    """

    history_from = (
        "tickets",
        "orders",
        "changes",
        "billing",
        "contacts.DirectoryChange",
        "portal.AuditEvent",
        "portal.ExpansionRequest",
        "portal.ExpansionRequestEvent",
        "portal.Feedback",
    )
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
    form = PersonChangeForm
    add_form = PersonCreationForm
    readonly_fields = ["last_login", "date_joined"]
    inlines = [UserMembershipInline]
    actions = ["send_password_reset", "remove_mfa"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = PersonAddForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return request.user.is_superuser or not _is_staff_account(obj)

    def has_remove_mfa_permission(self, request) -> bool:
        return request.user.has_perm("mfa.delete_authenticator")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        if obj is None:
            return [(None, {"classes": ["wide"], "fields": ["email", "full_name", "language"]})]
        # No password form for other staff: a person who is locked out gets a reset link.
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            readonly += POWER_FIELDS
        return readonly

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        refused = POWER_FIELDS + PASSWORD_FIELDS
        crafted = request.method == "POST" and any(f in request.POST for f in refused)
        if crafted and not request.user.is_superuser:
            raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change or request.user.is_superuser:
            return
        # Now that the person's memberships exist, the link (and its audit row) reaches them.
        person = form.instance
        try:
            staff_services.user_password_reset_send(
                user=person, actor=request.user, request=request
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.WARNING)
        else:
            self.message_user(
                request,
                _("%(email)s was sent a link to choose a password.") % {"email": person.email},
                messages.SUCCESS,
            )

    def save_model(self, request, obj, form, change):
        before = staff_services.user_snapshot(obj) if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            staff_services.user_staff_edit_record(
                user=obj, before=before, actor=request.user, request=request
            )

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        user = self.get_object(request, unquote(id))
        before = user.password if user is not None else None
        response = super().user_change_password(request, id, form_url)
        if user is not None and request.method == "POST":
            user.refresh_from_db(fields=["password"])
            if user.password != before:
                staff_services.user_password_set_record(
                    user=user, actor=request.user, request=request
                )
        return response

    # --- Actions on a person ------------------------------------------------------------
    def _for_each_person(self, request, queryset, perform, done_message) -> None:
        done = 0
        for user in queryset:
            if not self.has_change_permission(request, user):
                self.message_user(
                    request,
                    _("Only a superuser may do this for %(email)s: it is a staff account.")
                    % {"email": user.email},
                    messages.WARNING,
                )
                continue
            try:
                changed = perform(user=user, actor=request.user, request=request)
            except DomainError as error:
                self.message_user(request, error.message, messages.WARNING)
                continue
            done += changed is not False
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Send a password reset link"), permissions=["change"])
    def send_password_reset(self, request, queryset):
        if request.POST.get("select_across") == "1":
            # "All N people" would mail every customer's person at once: never by one click.
            self.message_user(
                request,
                _("Choose the people on the page: reset links are not sent to everyone at once."),
                messages.WARNING,
            )
            return
        self._for_each_person(
            request,
            queryset,
            staff_services.user_password_reset_send,
            lambda count: (
                ngettext(
                    "A password reset link was sent to %(count)d person.",
                    "A password reset link was sent to %(count)d people.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Remove two-factor authentication"), permissions=["remove_mfa"])
    def remove_mfa(self, request, queryset):
        self._for_each_person(
            request,
            queryset,
            staff_services.user_mfa_remove,
            lambda count: (
                ngettext(
                    "Two-factor authentication was removed for %(count)d person.",
                    "Two-factor authentication was removed for %(count)d people.",
                    count,
                )
                % {"count": count}
            ),
        )


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
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: the audit log is evidence."""

    list_display = ["created_at", "customer", "actor_email", "action", "target_email", "ip_address"]
    list_filter = ["action", "customer"]
    search_fields = ["actor_email", "target_email", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["customer"]


# allauth's own admin pages would change a sign-in address or a second factor without the audit
# log: both are read only here, and staff change them on the person's page, audited.
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdminMixin, BaseEmailAddressAdmin):
    pass


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdminMixin, BaseAuthenticatorAdmin):
    exclude = ["data"]  # the TOTP secret and the recovery codes stay out of every page
