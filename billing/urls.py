from django.urls import path

from billing.views import data, invoices, requests

app_name = "billing"

urlpatterns = [
    path("", invoices.billing_home, name="home"),
    path("invoices/", invoices.invoice_list, name="list"),
    path("invoices/export.csv", invoices.invoice_export, name="export"),
    path("invoices/<str:number>/", invoices.invoice_detail, name="invoice"),
    path("invoices/<str:number>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path("requests/", requests.request_list, name="requests"),
    path("requests/new/", requests.request_create, name="request_create"),
    path("requests/<str:number>/", requests.request_detail, name="request_detail"),
    path("requests/<str:number>/reply/", requests.request_reply, name="request_reply"),
    path(
        "requests/<str:number>/files/<uuid:reference>/",
        requests.request_attachment,
        name="request_attachment",
    ),
    path("data/", data.data_change_list, name="data_changes"),
    path("data/new/", data.data_change_create, name="data_change_create"),
    path("po/", data.po_request_list, name="po_requests"),
    path("po/new/", data.po_request_create, name="po_request_create"),
    path("po/<str:number>/support/", data.po_request_support, name="po_request_support"),
]
