from django.urls import path

from billing import data_views, invoice_views, request_views

app_name = "billing"

urlpatterns = [
    path("", invoice_views.billing_home, name="home"),
    path("invoices/", invoice_views.invoice_list, name="list"),
    path("invoices/export.csv", invoice_views.invoice_export, name="export"),
    path("invoices/<str:number>/", invoice_views.invoice_detail, name="invoice"),
    path("invoices/<str:number>/pdf/", invoice_views.invoice_pdf, name="invoice_pdf"),
    path("requests/", request_views.request_list, name="requests"),
    path("requests/new/", request_views.request_create, name="request_create"),
    path("requests/<str:number>/", request_views.request_detail, name="request_detail"),
    path("requests/<str:number>/reply/", request_views.request_reply, name="request_reply"),
    path(
        "requests/<str:number>/files/<uuid:reference>/",
        request_views.request_attachment,
        name="request_attachment",
    ),
    path("data/", data_views.data_change_list, name="data_changes"),
    path("data/new/", data_views.data_change_create, name="data_change_create"),
    path("po/", data_views.po_request_list, name="po_requests"),
    path("po/new/", data_views.po_request_create, name="po_request_create"),
    path("po/<str:number>/support/", data_views.po_request_support, name="po_request_support"),
]
