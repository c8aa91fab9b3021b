"""Help centre, user manual and feedback (R-POR-3, R-POR-6). Readable without signing in."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.models import AuditEvent, Level


@require_safe
def help_centre(request):
    return render(
        request, "portal/help.html", {"Level": Level, "action_choices": AuditEvent.Action.choices}
    )


def manual(request):
    raise Http404


def feedback(request):
    raise Http404


def help_article(request, slug):
    raise Http404
