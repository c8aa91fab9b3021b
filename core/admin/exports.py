"""Staff admin: the customers' background CSV exports, read only (issue 15). Staff see who asked
for what, how far it got and why it failed; the files themselves leave only through the
customer's own download."""

from django.contrib import admin

from core.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "customer",
        "requested_by",
        "kind",
        "status",
        "rows_done",
        "rows_total",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["customer__display_name", "requested_by__email", "reference"]
    date_hierarchy = "created_at"
    list_select_related = ["customer", "requested_by"]
    readonly_fields = [field.name for field in Export._meta.fields if field.name != "file"]
    exclude = ["file"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
