from django.urls import path

from inventory import views

app_name = "services"

urlpatterns = [
    path("", views.service_list, name="list"),
    path("export.csv", views.service_export, name="export"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<str:number>/", views.request_detail, name="request_detail"),
    path("<str:service_id>/", views.service_detail, name="detail"),
]
