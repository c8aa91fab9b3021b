"""Pages that show several areas (the dashboard, a service's page) collect their cards here.

Each area registers its cards in its `AppConfig.ready()`. A page asks its slot for the cards of
the request and renders them in order, so adding an area never edits the page, and the page never
imports an area. A card is a context function and one template per place on the page: the
dashboard has one place ("main"); a service's page has "badges" (beside its summary line), "notes"
(under it), "actions" (buttons), "main" (panels) and "side" (the support card)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

CardContext = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class Card:
    key: str
    order: int
    context: CardContext  # (request, **page objects) -> context, or None: the card is not shown
    templates: dict[str, str]  # place -> template
    stylesheets: tuple[str, ...] = ()  # static paths the card needs in <head>


@dataclass(frozen=True)
class ShownCard:
    card: Card
    context: dict[str, Any]

    def template(self, place: str) -> str | None:
        return self.card.templates.get(place)


@dataclass
class ShownCards:
    cards: list[ShownCard] = field(default_factory=list)

    def __iter__(self):
        return iter(self.cards)

    def __bool__(self) -> bool:
        return bool(self.cards)

    @property
    def stylesheets(self) -> list[str]:
        return list(dict.fromkeys(s for shown in self.cards for s in shown.card.stylesheets))


class Slot:
    def __init__(self, name: str, places: tuple[str, ...]) -> None:
        self.name = name
        self.places = places
        self._cards: dict[str, Card] = {}

    def register(self, card: Card) -> Card:
        if card.key in self._cards:
            raise ImproperlyConfigured(f"The {self.name} already has a card {card.key!r}.")
        unknown = set(card.templates) - set(self.places)
        if unknown:
            raise ImproperlyConfigured(f"The {self.name} has no place {sorted(unknown)}.")
        self._cards[card.key] = card
        return card

    def unregister(self, key: str) -> None:
        self._cards.pop(key, None)

    @property
    def keys(self) -> list[str]:
        return [card.key for card in sorted(self._cards.values(), key=lambda c: c.order)]

    def collect(self, request: HttpRequest, **objects: Any) -> ShownCards:
        shown = ShownCards()
        for card in sorted(self._cards.values(), key=lambda c: c.order):
            context = card.context(request, **objects)
            if context is not None:
                shown.cards.append(ShownCard(card, context))
        return shown


dashboard = Slot("dashboard", places=("main",))
service_page = Slot("service page", places=("badges", "notes", "actions", "main", "side"))
