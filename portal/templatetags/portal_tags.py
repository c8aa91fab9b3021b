import re

from django import template
from django.utils.translation import gettext as _

register = template.Library()

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|HeadlessChrome/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
]


def _first(patterns, text: str) -> str:
    return next((name for name, pattern in patterns if re.search(pattern, text)), "")


@register.filter
def device(user_agent: str) -> str:
    """A browser's User-Agent as people say it: "Chrome on Windows"."""
    browser, system = _first(_BROWSERS, user_agent or ""), _first(_SYSTEMS, user_agent or "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")


@register.inclusion_tag("portal/_sort_header.html", takes_context=True)
def sort_header(context, column: str, label: str):
    """A sortable column heading: a link that sorts by the column, or reverses the current
    order when it is already the sorted one; aria-sort says the state to screen readers."""
    current = context.get("sort", "")
    state = "ascending" if current == column else "descending" if current == f"-{column}" else ""
    following = f"-{column}" if state == "ascending" else column
    query = context.get("sort_query", "")
    return {
        "label": label,
        "state": state,
        "href": f"?{query}{'&' if query else ''}sort={following}",
    }
