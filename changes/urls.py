from django.urls import path

from changes import views

app_name = "changes"

urlpatterns = [
    path("", views.change_list, name="list"),
    path("new/", views.change_create, name="create"),
    path("new/check/", views.change_check, name="check"),
    path("other/", views.change_other, name="other"),
    path("maintenance/", views.maintenance_calendar, name="maintenance"),
    path("maintenance/feed/rotate/", views.feed_rotate, name="feed_rotate"),
    path("maintenance/feed/<str:token>.ics", views.feed, name="feed"),
    path("maintenance/<str:reference>/", views.maintenance_detail, name="maintenance_detail"),
    path(
        "maintenance/<str:reference>/reschedule/",
        views.maintenance_object,
        name="maintenance_object",
    ),
    path("maintenance/<str:reference>/calendar.ics", views.maintenance_ics, name="maintenance_ics"),
    path("<str:number>/", views.change_detail, name="detail"),
]
