from django import template

from billing.money import money as money_text

register = template.Library()


@register.simple_tag(takes_context=True)
def money(context, amount, currency):
    """{% money invoice.total invoice.currency %} in the reader's language and the customer's
    country (Spanish amounts follow the customer's country: `$1.234,56` in Argentina)."""
    customer = context.get("active_customer") or context.get("customer")
    return money_text(amount, currency, country=getattr(customer, "country", ""))
