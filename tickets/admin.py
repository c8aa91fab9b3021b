"""Staff triage of trouble tickets: HELPER-F replaces this skeleton."""

from django.contrib import admin

from tickets.models import SlaTarget, Ticket

admin.site.register(Ticket)
admin.site.register(SlaTarget)
