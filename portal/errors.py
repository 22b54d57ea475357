class ApplicationError(Exception):
    """A domain rule was broken. `message` is written for the person who caused it."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
