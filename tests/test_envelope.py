"""Envelope checks: every broken count or control number is a diagnostic with its position,
never an exception, and the segments are all still read."""

from __future__ import annotations

import io

import pytest

from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.x12.reader import X12Reader, read_segments

ISA = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*"
       "00501*000000001*0*T*:~\n")
# one segment per line: segment N is on line N
GOOD = ISA + "".join(seg + "~\n" for seg in (
    "GS*HC*SENDER*RECEIVER*20260101*1200*7*X*005010X222A1",  # 2
    "ST*837*0001*005010X222A1",  # 3
    "BHT*0019*00*B1*20260101*1200*CH",  # 4
    "SE*3*0001",  # 5
    "ST*837*0002*005010X222A1",  # 6
    "BHT*0019*00*B2*20260101*1200*CH",  # 7
    "HL*1**20*1",  # 8
    "SE*4*0002",  # 9
    "GE*2*7",  # 10
    "IEA*1*000000001",  # 11
))
TAGS = ["ISA", "GS", "ST", "BHT", "SE", "ST", "BHT", "HL", "SE", "GE", "IEA"]


def read(text: str):
    diagnostics = Diagnostics()
    reader = X12Reader(io.BytesIO(text.encode()), name="env.x12", diagnostics=diagnostics)
    segments = list(reader.segments())
    return segments, diagnostics, reader


def errors(diagnostics) -> list[tuple[str, int | None, int | None]]:
    return [(d.code, d.segment, d.line) for d in diagnostics if d.severity == Severity.ERROR]


def test_good_envelope_has_no_diagnostics():
    segments, diagnostics, reader = read(GOOD)
    assert [s.tag for s in segments] == TAGS
    assert list(diagnostics) == []
    assert (reader.interchanges, reader.groups, reader.transactions) == (1, 1, 2)


@pytest.mark.parametrize(("old", "new", "expected"), [
    # SE01 segment count (ST..SE inclusive)
    ("SE*3*0001", "SE*4*0001", [("X223", 5, 5)]),
    ("SE*4*0002", "SE*3*0002", [("X223", 9, 9)]),
    ("SE*4*0002", "SE**0002", [("X223", 9, 9)]),
    # SE02 must repeat ST02
    ("SE*3*0001", "SE*3*0009", [("X224", 5, 5)]),
    # GE01 transaction count, GE02 must repeat GS06
    ("GE*2*7", "GE*1*7", [("X213", 10, 10)]),
    ("GE*2*7", "GE*2*8", [("X214", 10, 10)]),
    # IEA01 group count, IEA02 must repeat ISA13
    ("IEA*1*000000001", "IEA*2*000000001", [("X203", 11, 11)]),
    ("IEA*1*000000001", "IEA*1*000000002", [("X204", 11, 11)]),
    # everything wrong at once, each at its own segment
    ("SE*4*0002~\nGE*2*7~\nIEA*1*000000001", "SE*5*0003~\nGE*3*6~\nIEA*0*000000009",
     [("X223", 9, 9), ("X224", 9, 9), ("X213", 10, 10), ("X214", 10, 10), ("X203", 11, 11),
      ("X204", 11, 11)]),
])
def test_count_and_control_number_mismatches(old, new, expected):
    assert old in GOOD
    segments, diagnostics, _ = read(GOOD.replace(old, new))
    assert [s.tag for s in segments] == TAGS  # nothing is dropped
    assert errors(diagnostics) == expected


def test_missing_se_is_reported_at_the_segment_that_closes_the_group():
    text = GOOD.replace("SE*4*0002~\n", "")
    segments, diagnostics, _ = read(text)
    assert [s.tag for s in segments] == [t for i, t in enumerate(TAGS) if i != 8]
    assert errors(diagnostics) == [("X225", 9, 9)]  # found at GE (now segment 9)
    assert "0002" in diagnostics[0].message and "segment 6" in diagnostics[0].message


def test_missing_se_before_the_next_st():
    segments, diagnostics, _ = read(GOOD.replace("SE*3*0001~\n", ""))
    assert len(segments) == len(TAGS) - 1
    # the second ST (now segment 5) finds transaction 0001 still open; its own SE counts
    # from the second ST, so it is right.
    assert errors(diagnostics) == [("X221", 5, 5)]


def test_missing_ge_is_reported_at_the_iea():
    segments, diagnostics, _ = read(GOOD.replace("GE*2*7~\n", ""))
    assert len(segments) == len(TAGS) - 1
    assert errors(diagnostics) == [("X215", 10, 10)]


def test_missing_ge_before_the_next_gs():
    text = GOOD.replace("GE*2*7~\n", "").replace(
        "IEA*1*", "GS*HC*S*R*20260101*1200*8*X*005010X222A1~\nST*837*0003~\nSE*2*0003~\n"
        "GE*1*8~\nIEA*2*")
    segments, diagnostics, _ = read(text)
    assert segments[9].tag == "GS"
    assert errors(diagnostics) == [("X211", 10, 10)]


def test_missing_iea_before_the_next_isa():
    second = ISA.replace("000000001", "000000002") + "IEA*0*000000002~\n"
    segments, diagnostics, reader = read(GOOD.replace("IEA*1*000000001~\n", "") + second)
    assert reader.interchanges == 2
    assert errors(diagnostics) == [("X201", 11, 11)]


def test_missing_iea_at_the_end_of_the_file_is_reported():
    segments, diagnostics, _ = read(GOOD.replace("IEA*1*000000001~\n", ""))
    assert len(segments) == len(TAGS) - 1
    assert [d.code for d in diagnostics] == ["X205"]
    assert "000000001" in diagnostics[0].message


def test_missing_se_ge_iea_at_the_end_of_the_file_are_all_reported():
    text = GOOD.split("SE*4*0002")[0]
    segments, diagnostics, _ = read(text)
    assert [s.tag for s in segments] == TAGS[:8]
    assert [d.code for d in diagnostics] == ["X225", "X215", "X205"]


def test_envelopes_open_at_the_end_of_the_file_carry_a_position():
    text = GOOD.split("SE*4*0002")[0]
    _, diagnostics, _ = read(text)
    for d in diagnostics:
        assert d.segment is not None and d.line is not None, d


def test_trailer_with_no_header():
    text = GOOD.replace("ST*837*0001*005010X222A1~\n", "")
    segments, diagnostics, _ = read(text)
    assert ("X222", 4, 4) in errors(diagnostics)  # SE with no open ST
    assert ("X213", 9, 9) in errors(diagnostics)  # the group now holds one transaction


def test_envelope_context_follows_the_segments():
    diagnostics = Diagnostics()
    reader = X12Reader(io.BytesIO(GOOD.encode()), name="env.x12", diagnostics=diagnostics)
    seen = {}
    for segment in reader.segments():
        if segment.tag == "BHT":
            envelope = reader.envelope
            seen[segment.element(3)] = (envelope.interchange_control, envelope.group_control,
                                        envelope.transaction_control, envelope.transaction_type,
                                        envelope.implementation)
    assert seen == {
        "B1": ("000000001", "7", "0001", "837P", "005010X222A1"),
        "B2": ("000000001", "7", "0002", "837P", "005010X222A1"),
    }


def test_counts_stay_right_around_empty_segments():
    text = GOOD.replace("BHT*0019*00*B1", "~BHT*0019*00*B1")
    segments, diagnostics, _ = read(text)
    assert errors(diagnostics) == []
    assert [s.tag for s in segments] == TAGS


def test_read_segments_never_raises_on_a_broken_envelope():
    text = "".join(seg + "~" for seg in ("ST*837*0001", "SE*9*0002", "GE*5*1", "IEA*3*1",
                                          "SE*1*1"))
    diagnostics = Diagnostics()
    segments = list(read_segments(io.BytesIO(text.encode()), name="b.x12",
                                  diagnostics=diagnostics))
    assert [s.tag for s in segments] == ["ST", "SE", "GE", "IEA", "SE"]
    assert [d.code for d in diagnostics if d.severity == Severity.ERROR] == [
        "X223", "X224", "X212", "X202", "X222"]
    assert all(d.file == "b.x12" for d in diagnostics)
