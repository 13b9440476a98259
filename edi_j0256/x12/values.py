"""Element values: X12 numbers (R, N) and dates (DT, CCYYMMDD), read without raising.

Each reader decides how to report a bad value (and whether the value may be shown: a
birth date or a patient weight may not); these functions only say whether the text is a value.

X12 numeric elements (X12.6, "Application Control Structure": R decimal numbers and N
implied-decimal numbers) are an optional minus sign, digits and, for R, one decimal point:
no exponent, no ``NaN``/``Infinity``, no spaces, no thousands separator. Their length,
counted without the sign and the decimal point, is at most :data:`MAX_NUMBER_DIGITS`. That
is the longest numeric element the 837 and 835 readers parse, element 782 Monetary Amount
(CLM02, SV102, SV203, CLP03, CAS03, AMT02: R 1/18 in the X12 element dictionary, as in
pyx12's ``map/dataele.xml``); the others are shorter (380 Quantity, e.g. SV104, SV205,
CTP04: R 1/15; 81 Weight, PAT08: R 1/10). Longer numeric elements exist (739 Measurement
Value, MEA03: R 1/20) but are not read as numbers. Text is checked against that shape before
:class:`~decimal.Decimal` ever sees it, so a value such as ``1E+999999`` or a 400-digit
number costs one regex match, never a hang or an overflow.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

MAX_NUMBER_DIGITS = 18
_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


def number_problem(text: str) -> str | None:
    """Why ``text`` is not an X12 number, or None when it is one.

    >>> number_problem("2250.50"), number_problem("1E+5"), number_problem("1" * 19)
    (None, 'is not a number', 'has more than 18 digits')
    """
    if len(text) <= MAX_NUMBER_DIGITS and _NUMBER.fullmatch(text):
        return None  # the common case: a short number cannot have too many digits
    if len(text) > MAX_NUMBER_DIGITS + 2 or not _NUMBER.fullmatch(text):
        if _NUMBER.fullmatch(text):
            return f"has more than {MAX_NUMBER_DIGITS} digits"
        return "is not a number"
    digits = len(text) - text.startswith("-") - ("." in text)
    if digits > MAX_NUMBER_DIGITS:
        return f"has more than {MAX_NUMBER_DIGITS} digits"
    return None


def parse_decimal(text: str) -> Decimal | None:
    """An X12 number as a Decimal, or None for text that is not one (see the module notes).

    >>> parse_decimal("2250.5"), parse_decimal("-10"), parse_decimal("NaN"), parse_decimal("1,0")
    (Decimal('2250.5'), Decimal('-10'), None, None)
    >>> parse_decimal("1E+999999"), parse_decimal("9" * 400)
    (None, None)
    """
    if number_problem(text) is not None:
        return None
    return Decimal(text)


def parse_date(text: str) -> date | None:
    """A CCYYMMDD date (ASCII digits only), or None.

    >>> parse_date("20260105"), parse_date("20260230"), parse_date("2026010")
    (datetime.date(2026, 1, 5), None, None)
    """
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
