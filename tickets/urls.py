from django.urls import path

from tickets.views import availability, tickets

app_name = "tickets"

urlpatterns = [
    path("", tickets.ticket_list, name="list"),
    path("export.csv", tickets.ticket_export, name="export"),
    path("new/", tickets.ticket_create, name="create"),
    path("availability/", availability.availability, name="availability"),
    path("availability.csv", availability.availability_export, name="availability_export"),
    # Public: the person copied confirms with the signed link (tickets.services.watchers).
    path("copied/<str:token>/", tickets.watcher_confirm, name="watcher_confirm"),
    path("<str:number>/", tickets.ticket_detail, name="detail"),
    path("<str:number>/reply/", tickets.ticket_reply, name="reply"),
    path("<str:number>/escalate/", tickets.ticket_escalate, name="escalate"),
    path("<str:number>/reopen/", tickets.ticket_reopen, name="reopen"),
    path("<str:number>/cancel/", tickets.ticket_cancel, name="cancel"),
    path("<str:number>/copy/", tickets.watcher_add, name="watcher_add"),
    path("<str:number>/copy/remove/", tickets.watcher_remove, name="watcher_remove"),
    path("<str:number>/files/<uuid:reference>/", tickets.attachment_download, name="attachment"),
]
