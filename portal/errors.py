class DomainError(Exception):
    """A broken business rule. `message` is translated and safe to show to the user."""

    def __init__(self, message, *, rule: str = "", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.rule = rule
        self.field = field
