"""National Provider Identifiers: ten digits whose last is a Luhn check digit.

The check digit is computed over the prefix ``80840`` (the NPI's card issuer identifier)
followed by the first nine digits (CMS, "Requirements for Constructing NPI Check Digits").
pyx12 does not check it; a claim with a bad NPI is rejected at the payer's front end.
"""

from __future__ import annotations

from functools import lru_cache

_PREFIX = "80840"


def check_digit(first_nine: str) -> str:
    """The tenth digit for nine NPI digits.

    >>> check_digit("123456789")
    '3'
    """
    total = 0
    for position, char in enumerate(reversed(_PREFIX + first_nine)):
        digit = int(char)
        if position % 2 == 0:  # every second digit from the right, starting with the last
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str((10 - total % 10) % 10)


@lru_cache(maxsize=4096)  # a file holds a few providers: the check digit is computed once each
def is_valid_npi(npi: str | None) -> bool:
    """Ten ASCII digits with the right check digit.

    >>> is_valid_npi("1234567893"), is_valid_npi("1234567890"), is_valid_npi("12345")
    (True, False, False)
    """
    if not npi or len(npi) != 10 or not (npi.isascii() and npi.isdigit()):
        return False
    return check_digit(npi[:9]) == npi[9]
