"""The tokenizer, one edge case at a time, on small X12 texts held in memory.

Every test builds its input byte by byte, so the expected segment index, line number and
byte offset of each segment can be computed from the text itself.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.x12.tokenizer import Delimiters, Segment, Tokenizer

# -- building X12 text ---------------------------------------------------------------------

BODY = (
    "GS*HC*SENDER*RECEIVER*20260101*1200*1*X*005010X222A1",
    "ST*837*0001*005010X222A1",
    "BHT*0019*00*B1*20260101*1200*CH",
    "SV1*HC:J0256:JW:KX*100*UN*10***1:2",
    "SE*4*0001",
    "GE*1*1",
    "IEA*1*000000001",
)
TAGS = ["ISA", "GS", "ST", "BHT", "SV1", "SE", "GE", "IEA"]


def isa(element: str = "*", component: str = ":", terminator: str = "~", repetition: str = "^",
        version: str = "00501", control: str = "000000001") -> str:
    """A 106-character ISA (plus its terminator) with the given delimiters."""
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ",
              "RECEIVER".ljust(15), "260101", "1200", repetition, version, control, "0", "T",
              component]
    return element.join(fields) + terminator


def body(element: str = "*", component: str = ":", terminator: str = "~", after: str = "",
         control: str = "000000001") -> str:
    """GS .. IEA with the given delimiters; ``after`` follows every terminator."""
    out = []
    for seg in BODY:
        seg = seg.replace("000000001", control).replace(":", component).replace("*", element)
        out.append(seg + terminator + after)
    return "".join(out)


def tokenize(data: bytes | str, chunk_size: int = 1 << 22, name: str = "t.x12"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    diagnostics = Diagnostics()
    tokenizer = Tokenizer(io.BytesIO(data), name=name, diagnostics=diagnostics,
                          chunk_size=chunk_size)
    segments = list(tokenizer.segments())
    return segments, diagnostics, tokenizer


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


def expected_positions(data: bytes, starts: list[str]) -> list[tuple[int, int, int]]:
    """(index, line, offset) of each segment, found by searching ``data`` in order."""
    out = []
    pos = 0
    for index, start in enumerate(starts, 1):
        offset = data.index(start.encode(), pos)
        out.append((index, data.count(b"\n", 0, offset) + 1, offset))
        pos = offset + 1
    return out


def positions(segments: list[Segment]) -> list[tuple[int, int, int]]:
    return [(s.index, s.line, s.offset) for s in segments]


STANDARD = isa() + body()


# -- the package imports on its own ----------------------------------------------------------


def test_x12_package_imports_first_in_a_fresh_interpreter():
    result = subprocess.run([sys.executable, "-c", "import edi_j0256.x12.tokenizer"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1]


# -- delimiters from the ISA -----------------------------------------------------------------


def test_standard_delimiters_and_segments():
    segments, diagnostics, tokenizer = tokenize(STANDARD)
    assert [s.tag for s in segments] == TAGS
    assert tokenizer.delimiters == Delimiters("*", ":", "~", "^")
    assert segments[0].element(13) == "000000001"
    assert segments[0].element(16) == ":"
    assert segments[4].elements == ("SV1", "HC:J0256:JW:KX", "100", "UN", "10", "", "", "1:2")
    assert list(diagnostics) == []
    assert tokenizer.interchanges == 1


def test_tilde_element_caret_component_underscore_terminator():
    text = isa("~", "^", "_", repetition="!") + body("~", "^", "_")
    segments, diagnostics, tokenizer = tokenize(text)
    assert tokenizer.delimiters == Delimiters("~", "^", "_", "!")
    assert [s.tag for s in segments] == TAGS
    sv1 = segments[4]
    assert sv1["SV101-2"] == "J0256"
    assert sv1.components(1) == ("HC", "J0256", "JW", "KX")
    assert sv1["SV104"] == "10"
    assert segments[-1].elements == ("IEA", "1", "000000001")
    assert list(diagnostics) == []


def test_pipe_element_and_gt_component():
    text = isa("|", ">", "~") + body("|", ">", "~", after="\n")
    segments, diagnostics, tokenizer = tokenize(text)
    assert tokenizer.delimiters.element == "|"
    assert tokenizer.delimiters.component == ">"
    assert segments[4].component(1, 2) == "J0256"
    assert segments[4].element(2) == "100"
    assert [s.tag for s in segments] == TAGS
    assert list(diagnostics) == []


def test_several_interchanges_with_different_delimiters():
    first = isa() + body(after="\n")
    second = isa("|", ">", "!", control="000000002") + body("|", ">", "!", after="\n",
                                                               control="000000002")
    segments, diagnostics, tokenizer = tokenize(first + second)
    assert [s.tag for s in segments] == TAGS + TAGS
    assert segments[4]["SV101-2"] == "J0256"
    assert segments[12]["SV101-2"] == "J0256"
    assert segments[12].delimiters == Delimiters("|", ">", "!", "^")
    assert segments[8].element(13) == "000000002"
    assert segments[-1].elements == ("IEA", "1", "000000002")
    assert tokenizer.interchanges == 2
    assert "X112" in codes(diagnostics)  # the change of delimiters is noted (info)
    assert [s.index for s in segments] == list(range(1, 17))


@pytest.mark.parametrize(("version", "repetition", "expected"), [
    ("00501", "^", "^"),
    ("00502", "{", "{"),
    ("00401", "U", None),  # 4010: ISA11 is the standards identifier, not a separator
    ("00401", "^", None),
])
def test_repetition_separator_only_from_5010(version, repetition, expected):
    segments, _, tokenizer = tokenize(isa(version=version, repetition=repetition) + body())
    assert tokenizer.delimiters.repetition == expected
    assert segments[0].element(11) == repetition


# -- tolerated oddities ----------------------------------------------------------------------


def test_utf8_bom_is_skipped_with_a_warning():
    data = b"\xef\xbb\xbf" + STANDARD.encode()
    segments, diagnostics, _ = tokenize(data)
    assert [s.tag for s in segments] == TAGS
    assert segments[0].offset == 3
    assert positions(segments) == expected_positions(data, TAGS)
    assert codes(diagnostics) == ["X101"]


@pytest.mark.parametrize("after", ["\r\n", "\n"])
def test_newlines_after_terminators(after):
    data = (isa(terminator="~" + after) + body(after=after)).encode()
    segments, diagnostics, tokenizer = tokenize(data)
    assert tokenizer.delimiters.segment == "~"
    assert [s.tag for s in segments] == TAGS
    assert [s.line for s in segments] == list(range(1, 9))
    assert positions(segments) == expected_positions(data, TAGS)
    # no element keeps a stray CR or LF
    assert all("\r" not in e and "\n" not in e for s in segments for e in s.elements)
    assert list(diagnostics) == []


@pytest.mark.parametrize("after", ["", "\n"])
def test_a_line_break_inside_a_segment_moves_the_lines_after_it(after):
    """An LF inside BHT (not after a terminator) is one more line for every later segment:
    the rows count it whether the file is one segment per line or all on one line."""
    data = (isa(terminator="~" + after) + body(after=after)).replace("BHT*", "BHT*\n")
    segments, _, _ = tokenize(data.encode())
    assert [s.tag for s in segments] == TAGS
    assert positions(segments) == expected_positions(data.encode(), TAGS)
    assert segments[4].line == (6 if after else 2)


def test_leading_spaces_and_blank_lines_before_isa():
    data = ("  \n\n   " + STANDARD).encode()
    segments, diagnostics, _ = tokenize(data)
    assert [s.tag for s in segments] == TAGS
    assert (segments[0].index, segments[0].line, segments[0].offset) == (1, 3, 7)
    assert positions(segments) == expected_positions(data, TAGS)
    assert codes(diagnostics) == ["X103"]


def test_text_before_the_first_isa():
    data = ("Report header\nbatch 42 of 42\n" + STANDARD).encode()
    segments, diagnostics, _ = tokenize(data)
    assert [s.tag for s in segments] == TAGS
    assert (segments[0].index, segments[0].line) == (1, 3)
    assert segments[0].offset == data.index(b"ISA")
    assert codes(diagnostics) == ["X102"]


def test_isa_with_collapsed_padding():
    collapsed = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*260101*1200*^*00501*000000001*0*T*:~"
    segments, diagnostics, tokenizer = tokenize(collapsed + body())
    assert tokenizer.delimiters == Delimiters("*", ":", "~", "^")
    assert [s.tag for s in segments] == TAGS
    assert segments[0].element(6) == "SENDER"
    assert segments[0].element(13) == "000000001"
    assert segments[4]["SV101-2"] == "J0256"
    assert codes(diagnostics) == ["X106"]
    assert diagnostics[0].segment == 1 and diagnostics[0].line == 1
    assert f"ISA is {len(collapsed)} characters" in diagnostics[0].message  # with terminator


def test_newline_as_the_segment_terminator():
    data = (isa(terminator="\n") + body(terminator="\n")).encode()
    segments, diagnostics, tokenizer = tokenize(data)
    assert tokenizer.delimiters.segment == "\n"
    assert [s.tag for s in segments] == TAGS
    assert [s.line for s in segments] == list(range(1, 9))
    assert positions(segments) == expected_positions(data, TAGS)
    assert segments[0].element(16) == ":"
    assert "X110" in codes(diagnostics)


def test_crlf_as_the_segment_terminator():
    data = (isa(terminator="\r\n") + body(terminator="\r\n")).encode()
    segments, diagnostics, _ = tokenize(data)
    assert [s.tag for s in segments] == TAGS
    assert positions(segments) == expected_positions(data, TAGS)
    assert segments[-1].elements == ("IEA", "1", "000000001")
    assert segments[0].element(16) == ":"
    assert "X110" in codes(diagnostics)


def test_newline_terminated_file_ending_in_newline_has_no_missing_terminator_warning():
    data = (isa(terminator="\n") + body(terminator="\n")).encode()
    segments, diagnostics, _ = tokenize(data)
    assert len(segments) == 8
    assert codes(diagnostics) == ["X110"]


def test_terminator_written_at_the_start_of_the_next_line():
    parts = [isa(terminator="")] + [seg for seg in body(terminator="\0").split("\0") if seg]
    data = "\n~".join(parts).encode() + b"\n~"
    segments, diagnostics, tokenizer = tokenize(data)
    assert tokenizer.delimiters.segment == "~"
    assert [s.tag for s in segments] == TAGS
    assert [s.line for s in segments] == list(range(1, 9))
    assert positions(segments) == expected_positions(data, TAGS)
    assert segments[1].elements[:3] == ("GS", "HC", "SENDER")
    assert codes(diagnostics) == ["X109"]


def test_empty_segments_are_skipped_and_indexes_stay_right():
    text = STANDARD.replace("BHT*", "~BHT*").replace("SE*", "~\n~SE*")
    data = text.encode()
    segments, diagnostics, _ = tokenize(data)
    assert [s.tag for s in segments] == TAGS
    assert [s.index for s in segments] == list(range(1, 9))
    assert positions(segments) == expected_positions(data, TAGS)
    assert "X107" in codes(diagnostics)
    assert diagnostics[0].line == 1


def test_each_empty_segment_reported_once_at_its_line():
    # "~~" after ST, then "~~\n~" after SV1: three empty segments, the last ending on line 2
    text = STANDARD.replace("BHT*", "~BHT*").replace("SE*", "~\n~SE*")
    for chunk_size in (1 << 22, 64, 7):
        _, diagnostics, _ = tokenize(text, chunk_size=chunk_size)
        empties = [(d.line, d.segment) for d in diagnostics if d.code == "X107"]
        assert empties == [(1, 3), (1, 5), (2, 5)], chunk_size  # after ST, after SV1 twice


@pytest.mark.parametrize("terminator", ["~", "~\n", "\n"])
def test_file_that_starts_at_st(terminator):
    text = terminator.join(["ST*837*0001*005010X222A1", "BHT*0019*00*B1",
                            "SV1*HC>J0256>JW*100*UN*10", "SE*4*0001"]) + terminator
    segments, diagnostics, tokenizer = tokenize(text)
    assert [s.tag for s in segments] == ["ST", "BHT", "SV1", "SE"]
    assert segments[2]["SV101-2"] == "J0256"  # component separator guessed from SV1
    assert segments[2]["SV101-3"] == "JW"
    assert tokenizer.delimiters.element == "*"
    assert tokenizer.delimiters.component == ">"
    assert "X104" in codes(diagnostics)
    assert positions(segments) == expected_positions(text.encode(), ["ST", "BHT", "SV1", "SE"])


def test_file_that_starts_at_gs():
    text = "\n".join(seg + "~" for seg in BODY[:-1]) + "\n"
    segments, diagnostics, _ = tokenize(text)
    assert [s.tag for s in segments] == TAGS[1:-1]
    assert [s.line for s in segments] == list(range(1, 7))
    assert segments[0].element(8) == "005010X222A1"
    assert segments[3]["SV101-2"] == "J0256"
    assert codes(diagnostics) == ["X104"]


def test_file_with_no_final_terminator():
    data = STANDARD.rstrip("~").encode()
    segments, diagnostics, _ = tokenize(data)
    assert [s.tag for s in segments] == TAGS
    assert segments[-1].elements == ("IEA", "1", "000000001")
    assert codes(diagnostics) == ["X108"]
    assert diagnostics[0].segment == 8


def test_positions_are_exact_on_a_mixed_layout():
    """Several segments per line, blank lines, CR/LF: index, line and offset of each."""
    text = (isa() + "\r\n" + BODY[0] + "~" + BODY[1] + "~\r\n\r\n" + BODY[2] + "~\n  "
            + BODY[3] + "~" + BODY[4] + "~\n" + BODY[5] + "~" + BODY[6] + "~\n")
    data = text.encode()
    segments, _, _ = tokenize(data)
    assert positions(segments) == [
        (1, 1, 0), (2, 2, 108), (3, 2, 108 + len(BODY[0]) + 1),
        (4, 4, data.index(b"BHT")), (5, 5, data.index(b"SV1")), (6, 5, data.index(b"SE*")),
        (7, 6, data.index(b"GE*")), (8, 6, data.index(b"IEA")),
    ]
    for s in segments:
        assert data[s.offset:s.offset + len(s.tag)] == s.tag.encode()


# -- chunk boundaries ------------------------------------------------------------------------

SAME_DELIMITER_CASES = {
    "standard": STANDARD,
    "crlf-bom-text": "\ufeffheader\r\n" + isa(terminator="~\r\n") + body(after="\r\n"),
    "two-interchanges": isa() + body(after="\n") + isa(control="000000002")
    + body(after="\n", control="000000002"),
    "newline-terminator": isa(terminator="\n") + body(terminator="\n"),
    "next-line-terminator": "\n~".join([isa(terminator="")] + list(BODY)),
    "empty-segments": STANDARD.replace("BHT*", "~BHT*"),
    "starts-at-st": "ST*837*0001~BHT*0019~SV1*HC:J0256*1*UN*1~SE*4*0001~",
    "collapsed-isa": "ISA*00**00**ZZ*S*ZZ*R*260101*1200*^*00501*000000001*0*T*:~" + body(),
    "no-final-terminator": STANDARD.rstrip("~"),
    "tilde-element": isa("~", "^", "_", repetition="!") + body("~", "^", "_"),
}


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 100, 251])
@pytest.mark.parametrize("case", sorted(SAME_DELIMITER_CASES))
def test_chunk_size_does_not_change_segments(case, chunk_size):
    data = SAME_DELIMITER_CASES[case].encode("utf-8")
    reference, _, _ = tokenize(data)
    segments, _, _ = tokenize(data, chunk_size=chunk_size)
    assert segments == reference  # tag, elements, index, line and offset


def test_chunk_size_does_not_change_segments_of_a_fixture(fixtures_dir):
    data = (fixtures_dir / "837p-commercial.x12").read_bytes()
    reference, ref_diagnostics, _ = tokenize(data)
    assert len(reference) > 50
    for chunk_size in (7, 64, 100, 1000):
        segments, diagnostics, _ = tokenize(data, chunk_size=chunk_size)
        assert segments == reference, chunk_size
        assert list(diagnostics) == list(ref_diagnostics), chunk_size


@pytest.mark.parametrize("chunk_size", [7, 64, 100])
def test_chunk_size_with_an_interchange_that_changes_delimiters(chunk_size):
    data = (isa() + body(after="\n") + isa("|", ">", "!", control="000000002")
            + body("|", ">", "!", after="\n", control="000000002")).encode()
    reference, _, _ = tokenize(data)
    assert [s.tag for s in reference] == TAGS + TAGS
    segments, _, _ = tokenize(data, chunk_size=chunk_size)
    assert segments == reference


def test_interchange_change_of_delimiters_near_a_chunk_end():
    first = isa() + body(after="\n")
    filler = "".join(f"NTE*ADD*NOTE {i:04d}~\n" for i in range(200))
    first = first.replace("SE*4*0001", "SE*204*0001").replace("BHT*", filler + "BHT*", 1)
    second = isa("|", ">", "!", control="000000002") + body("|", ">", "!", control="000000002")
    data = (first + second).encode()
    chunk = len(first) + 60  # the second ISA straddles the chunk boundary
    segments, _, _ = tokenize(data, chunk_size=chunk)
    assert segments[-8].tag == "ISA"
    assert segments[-1].elements == ("IEA", "1", "000000002")


# -- what is not X12 ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [
    b"This is a plain text letter, not an X12 interchange.\n" * 10,
    b"",
    b"   \n\n",
    b"PK\x03\x04" + bytes(300),
    b'{"claims": []}\n',
])
def test_non_x12_input_raises_x12readerror_naming_the_file(data):
    with pytest.raises(X12ReadError) as info:
        tokenize(data, name="letters/not-x12.txt")
    assert info.value.file == "letters/not-x12.txt"
    assert "letters/not-x12.txt" in str(info.value)


def test_missing_file_raises_x12readerror(tmp_path):
    missing = tmp_path / "nowhere.x12"
    with pytest.raises(X12ReadError) as info:
        list(Tokenizer(missing).segments())
    assert str(missing) in str(info.value)


def test_path_source_is_read_like_a_stream(tmp_path):
    path = tmp_path / "one.x12"
    path.write_bytes(STANDARD.encode())
    from_path = list(Tokenizer(path).segments())
    assert from_path == tokenize(STANDARD)[0]
    assert Tokenizer(path).name == str(path)


# -- Segment access ----------------------------------------------------------------------------


def test_segment_designator_access():
    segments, _, _ = tokenize(STANDARD)
    sv1 = segments[4]
    assert sv1.tag == "SV1"
    assert sv1["SV101-1"] == "HC"
    assert sv1["SV101-2"] == "J0256"
    assert sv1["SV101-3"] == "JW"
    assert sv1["SV101-4"] == "KX"
    assert sv1["SV101-5"] == ""  # absent component
    assert sv1["SV102"] == "100"
    assert sv1["SV104"] == "10"
    assert sv1["SV106"] == ""  # present but empty
    assert sv1["SV107-2"] == "2"
    assert sv1["SV112"] == ""  # past the end
    assert sv1["01-2"] == "J0256"  # designator without the tag
    assert sv1.element(0) == "SV1"
    assert sv1.element(3) == "UN"
    assert sv1.element(40) == ""
    assert sv1.components(1) == ("HC", "J0256", "JW", "KX")
    assert sv1.components(6) == ()
    assert sv1.component(7, 1) == "1"
    assert sv1.component(1, 0) == ""
    assert segments[0]["ISA13"] == "000000001"
    assert segments[0]["ISA06"] == "SENDER".ljust(15)


def test_segments_name_the_file_they_came_from(fixtures_dir):
    from edi_j0256.x12 import read_segments

    path = fixtures_dir / "837p-medicare.x12"
    segments = list(read_segments(path))
    assert {s.file for s in segments} == {str(path)}
    named = list(read_segments(io.BytesIO(path.read_bytes()), name="upload-17.x12"))
    assert {s.file for s in named} == {"upload-17.x12"}
