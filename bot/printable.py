"""One way to show a path or a value in a log line, an admin's message or a report.

File names, YAML keys and values, and what a linked server answers are written by others: a
newline in one would start a line that reads as a log record of its own, a terminal escape
would move the cursor, and a file name that is not UTF-8 (Python keeps its bytes as lone
surrogates) cannot be sent to Telegram at all. Every such text passes through `printable`.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """`text` with each character that is not printable written as its escape: `\\n`, `\\x1b`,
    `\\u2028`, `\\u202e`, and `\\udcff` for a byte of a file name that is not UTF-8.

    The same characters as Python's repr escapes, so a value quoted with repr reads the same.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def printable_lines(text: str) -> str:
    """A message of several lines, each made printable; its own line breaks kept."""
    return "\n".join(printable(line) for line in text.split("\n"))
