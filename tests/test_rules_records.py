"""A finding's record is its fields, in order, exactly as ``dataclasses.asdict`` gives them."""

from __future__ import annotations

import dataclasses

from rule_support import ROOT

from edi_j0256.rules import FIELDS, Checker


def test_record_is_every_field_in_order() -> None:
    found = list(Checker().check_files([str(ROOT / "fixtures" / "837p-billing-errors.x12")]))
    assert len({f.code for f in found}) > 3
    for finding in found:
        record = finding.record()
        assert record == dataclasses.asdict(finding)
        assert tuple(record) == FIELDS
