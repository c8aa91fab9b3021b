from django.shortcuts import render
from django.views.decorators.http import require_safe

from contacts import selectors
from contacts.forms import DirectoryFilterForm


@require_safe
def directory(request):
    """The public contact directory (R-CON-1..3, R-TT-4: reachable without signing in, so
    customers can call the TSC when the portal is down). GET/HEAD only. Signed-in members get
    their customer's country preselected until they choose another (or all)."""
    data = request.GET.copy()
    customer = getattr(request, "customer", None)
    if "country" not in data and customer is not None:
        data["country"] = customer.country
    form = DirectoryFilterForm(data)
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {}
    context = selectors.directory(country=filters.get("country", ""), need=filters.get("need", ""))
    context.update(form=form, filtered=bool(filters.get("country") or filters.get("need")))
    return render(request, "contacts/directory.html", context, status=200 if valid else 400)
