"""Mis Servicios: the services inventory and expansion requests (R-POR-2)."""

from django.http import Http404


def service_list(request):
    raise Http404


service_export = request_list = request_create = service_list


def request_detail(request, number):
    raise Http404


def service_detail(request, service_id):
    raise Http404
