"""Staff admin of changes and maintenance: a helper replaces this skeleton."""

from django.contrib import admin

from changes.models import ChangeRequest, Maintenance, StandardChange

admin.site.register(ChangeRequest)
admin.site.register(Maintenance)
admin.site.register(StandardChange)
