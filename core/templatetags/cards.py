from django import template
from django.utils.safestring import mark_safe

from core.cards import ShownCards

register = template.Library()


@register.simple_tag(takes_context=True)
def cards_at(context, cards: ShownCards, place: str = "main") -> str:
    """Renders each shown card's template for `place` with the page's context plus the card's,
    as `{% include %}` would."""
    parts = []
    engine = context.template.engine
    for shown in cards:
        name = shown.template(place)
        if name is None:
            continue
        with context.push(shown.context):
            rendered = engine.get_template(name).render(context)
        if rendered.strip():  # a card with nothing to say here leaves no trace (no empty div)
            parts.append(rendered.strip())
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaped template render
