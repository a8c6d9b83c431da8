"""The one exception the expression engine raises."""


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated; ``str()`` is a plain sentence."""
