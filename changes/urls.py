from django.urls import path

from changes import maintenance_views, views

app_name = "changes"

urlpatterns = [
    path("", views.change_list, name="list"),
    path("new/", views.change_create, name="create"),
    path("new/check/", views.change_check, name="check"),
    path("other/", views.change_other, name="other"),
    path("maintenance/", maintenance_views.maintenance_calendar, name="maintenance"),
    path("maintenance/feed/rotate/", maintenance_views.feed_rotate, name="feed_rotate"),
    path(
        "maintenance/feed/shared/stop/",
        maintenance_views.feed_shared_stop,
        name="feed_shared_stop",
    ),
    path("maintenance/feed/<str:token>.ics", maintenance_views.feed, name="feed"),
    path(
        "maintenance/<str:reference>/",
        maintenance_views.maintenance_detail,
        name="maintenance_detail",
    ),
    path(
        "maintenance/<str:reference>/reschedule/",
        maintenance_views.maintenance_object,
        name="maintenance_object",
    ),
    path(
        "maintenance/<str:reference>/calendar.ics",
        maintenance_views.maintenance_ics,
        name="maintenance_ics",
    ),
    path("<str:number>/", views.change_detail, name="detail"),
]
