"""{% fixed_url "portal:profile" %}: Django's {% url %} for a URL without arguments, reversed
once per process (core.lib.urls.fixed_url). The page shell uses it for its links."""

from django import template

from core.lib.urls import fixed_url as _fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(viewname: str) -> str:
    return _fixed_url(viewname)
