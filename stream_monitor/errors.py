"""The one exception type for user mistakes: the CLI prints its message, never a traceback."""


class UserError(ValueError):
    """A bad config, argument or input file: the message says what was wrong and what is allowed."""
