class DomainError(Exception):
    """A broken business rule. `message` is translated and safe to show to the user."""

    def __init__(self, message, *, rule: str = "", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.rule = rule
        self.field = field


class RateLimited(DomainError):
    """A cap on what a customer may do in a while, mostly on e-mail sent to third parties from
    the provider's domain (people copied, notification contacts, invitations). The page the
    person was on answers 429 with the message."""

    status = 429
