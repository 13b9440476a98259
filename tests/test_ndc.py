"""NDC normalisation to the 11-digit 5-4-2 form."""

from __future__ import annotations

import pytest

from edi_j0256.claims.ndc import format_ndc, normalize_ndc


@pytest.mark.parametrize(("raw", "expected"), [
    ("0944-2815-01", "00944281501"),  # 4-4-2: zero before the labeler
    ("13533-705-01", "13533070501"),  # 5-3-2: zero before the product
    ("13533-705-51", "13533070551"),
    ("13533-0705-1", "13533070501"),  # 5-4-1: zero before the package
    ("13533-0705-01", "13533070501"),  # 5-4-2: hyphens dropped
    ("00053-7202-02", "00053720202"),
    ("13533070501", "13533070501"),  # 11 digits as they are
    ("00944281501", "00944281501"),
    (" 13533070501 ", "13533070501"),  # surrounding spaces
])
def test_normalised(raw, expected):
    assert normalize_ndc(raw) == expected


@pytest.mark.parametrize("raw", [
    "1353370501",  # 10 digits without hyphens: ambiguous, not guessed
    "0944281501",
    "135330705011",  # 12 digits
    "1353307050",
    "1234567",  # 7 digits (imsweb x12_complex.txt carries one)
    "13533-0705",  # two parts
    "1-2-3",
    "13533-07050-1",  # 5-5-1
    "135-3307-0501",  # 3-4-4
    "13533--0705-01",
    "13533-0705-0A",
    "ABCDEFGHIJK",
    "N4",
    "",
    "   ",
    None,
])
def test_not_normalised(raw):
    assert normalize_ndc(raw) is None


@pytest.mark.parametrize("raw", ["١٣٥٣٣٠٧٠٥٠١", "13533-0705-0²"])
def test_non_ascii_digits_are_junk(raw):
    assert normalize_ndc(raw) is None


def test_format_ndc_round_trip():
    assert format_ndc("13533070501") == "13533-0705-01"
    assert normalize_ndc(format_ndc("00944281501")) == "00944281501"
