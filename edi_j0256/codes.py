"""Procedure codes chosen by the user: the default and the one normaliser.

Every command and library entry point that takes procedure codes (``--hcpcs J0256,J0257``,
``hcpcs=("j0256",)``) passes them through :func:`normalize_codes`, so the claim side and the
remittance side always compare the same spelling.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_HCPCS: tuple[str, ...] = ("J0256",)
ALL_CODES = "ALL"  # ``--hcpcs ALL``: every service line, whatever its code


def normalize_codes(values: str | Iterable[str] | None,
                    default: tuple[str, ...] = DEFAULT_HCPCS) -> tuple[str, ...]:
    """Upper-cased, stripped, de-duplicated codes in the order given; commas split a value.

    >>> normalize_codes(["j0256, J0257", "j0256"])
    ('J0256', 'J0257')
    >>> normalize_codes(None)
    ('J0256',)
    >>> normalize_codes("all")
    ('ALL',)
    """
    if values is None:
        return default
    if isinstance(values, str):
        values = [values]
    codes: dict[str, None] = {}
    for value in values:
        for code in value.split(","):
            code = code.strip().upper()
            if code:
                codes[code] = None
    return tuple(codes) or default
