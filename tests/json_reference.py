"""The independent reference for the JSON writers: the stdlib encoder, ``ensure_ascii=False``,
with a Decimal as the int or float a JSON reader would hold (``output.plain``) and a date as
its ISO text. Where a Decimal is exactly that float, the writers' bytes must be these."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from edi_j0256.output import plain


def _default(value):
    if isinstance(value, (Decimal, date)):
        return plain(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


stdlib_json = json.JSONEncoder(ensure_ascii=False, default=_default).encode
