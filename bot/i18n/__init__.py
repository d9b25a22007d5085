"""The words every layer shares: the domain marks its messages and builds its links with these
alone, so reading a directory file needs no catalogs or settings."""

# BCP 47 as Penah uses it: a language, then optionally a script (ku-Arab) or a region (pt-BR).
CODE_PATTERN = r"[a-z]{2,3}(?:-(?:[A-Z][a-z]{3}|[A-Z]{2}))?"


class Html(str):
    """Telegram HTML built and escaped by the code (a link to a source, say): a screen fills
    it into a message as it is, where every other value is escaped."""


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message
