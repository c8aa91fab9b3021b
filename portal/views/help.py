"""Help centre, user manual and feedback (R-POR-3, R-POR-6). Help and manual are public."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.access import member_required
from core.errors import DomainError
from core.models import AuditEvent, Level
from portal.forms import FeedbackForm, HelpSearchForm
from portal.help_articles import ARTICLES, article_get, articles_search, current_language
from portal.services import feedback_submit


@require_safe
def help_centre(request):
    language = current_language()
    form = HelpSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "form": form,
        "query": query,
        "hits": articles_search(query, language=language) if query else [],
        "articles": [(a.slug, a.title(language), a.summary(language)) for a in ARTICLES],
        "Level": Level,
        "action_choices": AuditEvent.Action.choices,
    }
    return render(request, "portal/help.html", context, status=400 if form.errors else 200)


@require_safe
def help_article(request, slug):
    article = article_get(slug)
    if article is None:
        raise Http404
    language = current_language()
    context = {
        "title": article.title(language),
        "summary": article.summary(language),
        "body_template": article.template(language),
        "others": [(a.slug, a.title(language)) for a in ARTICLES if a is not article],
        "slug": slug,
    }
    return render(request, "portal/help/article.html", context)


@require_safe
def manual(request):
    template = f"portal/help/manual/{current_language()}.html"
    return render(request, "portal/help/manual.html", {"chapters_template": template})


@member_required(methods=("GET", "POST"))
def feedback(request):
    initial = {"page": request.GET.get("page", "")[:200]}
    form = FeedbackForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            sent = feedback_submit(
                membership=request.membership, language=get_language(), **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = 429  # the hourly limit (R-POR-6): the only rule the service enforces
        else:
            if sent.sent_to:
                text = _("Thank you. Your message was sent to %(email)s.") % {"email": sent.sent_to}
            else:
                text = _("Thank you. Your message was recorded: our staff will read it.")
            messages.success(request, text)
            return redirect("portal:feedback")
    if form.errors and status == 200:
        status = 400
    return render(request, "portal/help/feedback.html", {"form": form}, status=status)
