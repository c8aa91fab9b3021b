from django.urls import path

from tickets import reports, views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("export.csv", views.ticket_export, name="export"),
    path("new/", views.ticket_create, name="create"),
    path("availability/", reports.availability, name="availability"),
    path("availability.csv", reports.availability_export, name="availability_export"),
    # Public: the person copied confirms with the signed link (tickets.watchers).
    path("copied/<str:token>/", views.watcher_confirm, name="watcher_confirm"),
    path("<str:number>/", views.ticket_detail, name="detail"),
    path("<str:number>/reply/", views.ticket_reply, name="reply"),
    path("<str:number>/escalate/", views.ticket_escalate, name="escalate"),
    path("<str:number>/reopen/", views.ticket_reopen, name="reopen"),
    path("<str:number>/cancel/", views.ticket_cancel, name="cancel"),
    path("<str:number>/copy/", views.watcher_add, name="watcher_add"),
    path("<str:number>/copy/remove/", views.watcher_remove, name="watcher_remove"),
    path("<str:number>/files/<uuid:reference>/", views.attachment_download, name="attachment"),
]
