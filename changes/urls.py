from django.urls import path

from changes.views import maintenance, requests

app_name = "changes"

urlpatterns = [
    path("", requests.change_list, name="list"),
    path("new/", requests.change_create, name="create"),
    path("new/check/", requests.change_check, name="check"),
    path("other/", requests.change_other, name="other"),
    path("maintenance/", maintenance.maintenance_calendar, name="maintenance"),
    path("maintenance/feed/rotate/", maintenance.feed_rotate, name="feed_rotate"),
    path(
        "maintenance/feed/shared/stop/",
        maintenance.feed_shared_stop,
        name="feed_shared_stop",
    ),
    path("maintenance/feed/<str:token>.ics", maintenance.feed, name="feed"),
    path(
        "maintenance/<str:reference>/",
        maintenance.maintenance_detail,
        name="maintenance_detail",
    ),
    path(
        "maintenance/<str:reference>/reschedule/",
        maintenance.maintenance_object,
        name="maintenance_object",
    ),
    path(
        "maintenance/<str:reference>/calendar.ics",
        maintenance.maintenance_ics,
        name="maintenance_ics",
    ),
    path("<str:number>/", requests.change_detail, name="detail"),
]
