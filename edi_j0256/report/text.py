"""Any value as text a page or a chart can carry: never fatal, never a raw control character."""

from __future__ import annotations

import re

from edi_j0256.safe_text import escape_controls

DASH = "—"
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def printable(value) -> str:
    """Controls escaped (``\\x1b``), what XML cannot hold replaced (U+FFFD), None as a dash."""
    if value is None:
        return DASH
    if isinstance(value, (list, tuple)):
        return ", ".join(printable(v) for v in value) if value else DASH
    return _NOT_XML.sub("\ufffd", escape_controls(str(value)))
