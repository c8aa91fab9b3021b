"""What the billing admin's action pages share."""


def posted(request):
    """The POST data to bind, even when empty (a confirmation), or None on GET."""
    return request.POST if request.method == "POST" else None
