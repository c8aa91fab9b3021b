"""The SLA targets per impact that new tickets copy (R-TT-3)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tickets.models import SlaTarget


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    """R-TT-3: tickets copy the targets when they open; an edit here applies to new tickets."""

    list_display = ["impact", "response", "restoration", "updated_at"]
    fields = ["impact", "response", "restoration", "updated_at"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "impact"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("response", "restoration"):
            field.help_text = _(
                'HH:MM:SS or "D HH:MM:SS". Applies to tickets opened from now on; open '
                "tickets keep the targets they were opened with."
            )
        return field
