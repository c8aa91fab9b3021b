from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.billing_home, name="home"),
    path("invoices/", views.invoice_list, name="list"),
    path("invoices/export.csv", views.invoice_export, name="export"),
    path("invoices/<str:number>/", views.invoice_detail, name="invoice"),
    path("invoices/<str:number>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<str:number>/", views.request_detail, name="request_detail"),
    path("requests/<str:number>/reply/", views.request_reply, name="request_reply"),
    path(
        "requests/<str:number>/files/<uuid:reference>/",
        views.request_attachment,
        name="request_attachment",
    ),
    path("data/", views.data_change_list, name="data_changes"),
    path("data/new/", views.data_change_create, name="data_change_create"),
    path("po/", views.po_request_list, name="po_requests"),
    path("po/new/", views.po_request_create, name="po_request_create"),
    path("po/<str:number>/support/", views.po_request_support, name="po_request_support"),
]
