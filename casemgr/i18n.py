"""Marker for translatable strings outside the request context.

Domain code raises exceptions whose message templates are English msgids marked with ``N_``;
``casemgr.errors`` translates them into the request's locale when it renders them, so the
domain itself never imports Flask-Babel.
"""


def N_(message: str) -> str:  # noqa: N802 - gettext convention
    """Mark ``message`` for extraction by ``pybabel extract -k N_``; return it unchanged."""
    return message


# The interface languages: Chinese first (zh-CN), English second.
LOCALES = ("zh_CN", "en")

# How a list reads inside a sentence ("甲、乙" in Chinese), for messages with list parameters.
LIST_SEPARATOR = N_(", ")
