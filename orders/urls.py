from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("export.csv", views.order_export, name="export"),
    path("<str:number>/", views.order_detail, name="detail"),
    path("<str:number>/technical-details/", views.order_answer, name="answer"),
    path("<str:number>/<str:which>.ics", views.order_calendar, name="calendar"),
]
