"""One way to show a text written by others (a file name, a YAML value, a server's answer) in a
log line, an admin's message or a report: a newline would forge a log record, an escape would
move the cursor, and a lone surrogate (a file name that is not UTF-8) cannot go to Telegram."""

from __future__ import annotations


def printable(text: str) -> str:
    """Unprintable characters escaped as repr writes them, so a value quoted with repr reads
    the same."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def printable_lines(text: str) -> str:
    return "\n".join(map(printable, text.split("\n")))
