"""Errors that reach the user. Each message says what is wrong and how to fix it."""


class LsmError(Exception):
    """A problem with the user's input or environment, explained for the user.

    The Processing layer turns it into a QgsProcessingException with the same text.
    """


class Canceled(LsmError):
    """The user canceled the operation; whatever it was writing has been removed."""

    def __init__(self, message: str = "Canceled by the user; no output was written.") -> None:
        super().__init__(message)
