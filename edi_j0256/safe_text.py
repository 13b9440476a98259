"""Text that people open: terminals and spreadsheets get values they cannot be attacked by.

- :func:`escape_controls` shows control characters (ESC, NUL, CR, BEL ...) as escapes, so an
  ANSI sequence hidden in a claim value cannot recolour, move or clear an analyst's terminal.
- :func:`csv_cell` neutralises a text cell that a spreadsheet would run as a formula (the OWASP
  rule: a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``), and
  leaves real numbers numeric.

One home for both: every writer and every command that prints values uses them.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_AND_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")


def _escape(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1] if match.group() not in "\x1b" else "\\x1b"


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    r"""``text`` with control characters written as escapes (``\x1b``, ``\x00``, ``\t`` ...).

    >>> escape_controls("JW\x1b[2J")
    'JW\\x1b[2J'
    >>> escape_controls("two\nlines", keep_newlines=True)
    'two\nlines'
    """
    pattern = _CONTROLS if keep_newlines else _CONTROLS_AND_NEWLINES
    return pattern.sub(_escape, text) if pattern.search(text) else text


def csv_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates.

    >>> csv_cell('=HYPERLINK("http://x","click")')
    '\\'=HYPERLINK("http://x","click")'
    >>> csv_cell("-12.50"), csv_cell("@SUM(A1)"), csv_cell("J0256")
    ('-12.50', "'@SUM(A1)", 'J0256')
    """
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
