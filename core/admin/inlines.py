"""Histories shown on an object's admin page (steps, messages, pauses, touchpoints): staff read
them there; rows come from the services, which check the rules and notify."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows to read: no "Add another", no empty extra rows, no delete box. A subclass names its
    columns in `fields` and sets `readonly_fields = fields`."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyInline(ReadOnlyInline):
    """Read-only rows that are not even part of the object's form: Django shows them as a view."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False
