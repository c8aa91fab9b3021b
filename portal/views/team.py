"""The customer's account team page (R-TEAM-1..8)."""

from django.http import Http404


def team(request):
    raise Http404
