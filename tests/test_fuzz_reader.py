"""Property tests of the tokenizer, the claim reader and ``scan`` (issue 11 "Fuzzing").

Inputs are the fixtures, re-written with random delimiters, line ends and wrapping, then
mutated segment by segment (drop, duplicate, truncate, swap, inject control characters).
Properties: no exception but :class:`X12ReadError` (a clean one-line refusal) escapes the
readers; every CLM in the text is counted once (``claims = claims_read + claims_skipped +
claims_unreadable`` and ``claims`` equals the CLM segments written); ``scan`` exits 0 or 2
and never prints a traceback. Inputs that once broke something are kept in
``tests/regressions/`` (see ``test_regressions.py`` there). The default suite runs a few
dozen examples per property; ``-m slow`` runs thousands.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_j0256.claims import ClaimReader
from edi_j0256.cli import cli
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.x12.tokenizer import Tokenizer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCES = sorted(FIXTURES.glob("837*.x12")) + sorted((FIXTURES / "reader").glob("*.x12"))
SEGMENTS = {path.name: [s.rstrip("\r\n ").lstrip() for s in
                        path.read_text(encoding="latin-1").replace("\n", "").split("~")
                        if s.strip()] for path in SOURCES if "wrapped" not in path.name}
NAMES = sorted(SEGMENTS)
SEPARATORS = "*|^!>:~#%&+;<=?@`{}"
CONTROLS = "\x00\x01\x0b\x1b\x7f\t\r\n"
QUICK = settings(max_examples=40, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LONG = settings(max_examples=3000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def delimiters(draw):
    chosen = draw(st.lists(st.sampled_from(SEPARATORS), min_size=3, max_size=3, unique=True))
    line_end = draw(st.sampled_from(["", "\n", "\r\n", "\r"]))
    return chosen[0], chosen[1], chosen[2], line_end


def render(segments: list[str], element: str, component: str, terminator: str,
           line_end: str) -> str:
    """The segments written with other delimiters (ISA16 is the component separator)."""
    out = []
    for segment in segments:
        fields = segment.split("*")
        if fields[0] == "ISA" and len(fields) >= 17:
            fields = fields[:16] + [component]
            if fields[11] in (element, component, terminator):
                fields[11] = "U"  # a repetition separator that clashes: none
        else:
            fields = [f.replace(":", component) for f in fields]
        out.append(element.join(fields))
    return (terminator + line_end).join(out) + terminator + line_end


MUTATIONS = ("drop", "duplicate", "truncate", "swap", "control", "empty", "none")


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(NAMES))
    segments = list(SEGMENTS[name])
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(MUTATIONS))
        at = draw(st.integers(0, len(segments) - 1))
        if kind == "drop" and len(segments) > 1:
            del segments[at]
        elif kind == "duplicate":
            segments.insert(at, segments[at])
        elif kind == "truncate":
            segments[at] = segments[at][:draw(st.integers(0, len(segments[at])))]
        elif kind == "swap" and at + 1 < len(segments):
            segments[at], segments[at + 1] = segments[at + 1], segments[at]
        elif kind == "control":
            where = draw(st.integers(0, len(segments[at])))
            char = draw(st.sampled_from(CONTROLS))
            segments[at] = segments[at][:where] + char + segments[at][where:]
        elif kind == "empty":
            segments.insert(at, "")
    segments = [s for s in segments if s != ""] if not segments[0] else segments
    element, component, terminator, line_end = draw(delimiters())
    text = render(segments, element, component, terminator, line_end)
    width = draw(st.sampled_from([None, None, 80, 64]))
    if width and "\n" not in text and "\r" not in text:
        text = "\n".join(text[i:i + width] for i in range(0, len(text), width)) + "\n"
    return text.encode("latin-1"), (element, terminator, segments, width)


def clm_count(segments: list[str]) -> int:
    """CLM segments as written (the tag, then an element separator or nothing)."""
    return sum(1 for s in segments if s.split("*", 1)[0] == "CLM")


def check_reader(data: bytes, facts) -> None:
    element, terminator, segments, width = facts
    reader = ClaimReader(io.BytesIO(data), name="fuzz.x12", diagnostics=Diagnostics())
    try:
        for _ in reader.claims():
            pass
    except X12ReadError as exc:
        assert str(exc).startswith("fuzz.x12")
        return
    stats = reader.stats
    assert stats.claims == stats.claims_read + stats.claims_skipped + stats.claims_unreadable
    intact = segments and segments[0].startswith("ISA*") and len(segments[0]) == 105
    if intact and not any(c in s for s in segments for c in CONTROLS):
        assert stats.claims == clm_count(segments)


@QUICK
@given(mutated())
def test_mutated_files_never_raise_and_count_every_claim(sample):
    data, facts = sample
    check_reader(data, facts)


@QUICK
@given(mutated())
def test_tokenizer_positions_stay_ordered(sample):
    data, _ = sample
    try:
        segments = list(Tokenizer(io.BytesIO(data), name="fuzz.x12").segments())
    except X12ReadError:
        return
    indexes = [s.index for s in segments]
    assert indexes == list(range(indexes[0], indexes[0] + len(indexes))) if indexes else True
    lines = [s.line for s in segments]
    assert lines == sorted(lines)


@QUICK
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data):
    check_reader(data, ("*", "~", [], None))


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated())
def test_scan_exits_0_or_2_without_a_traceback(tmp_path, sample):
    data, _ = sample
    path = tmp_path / "fuzz.x12"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["scan", str(path), "--summary", "--hcpcs", "ALL"])
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.slow
@LONG
@given(mutated())
def test_many_mutants(sample):
    data, facts = sample
    check_reader(data, facts)


@pytest.mark.slow
@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated(), st.sampled_from([("J0256",), ("ALL",), ("96365", "J0256")]))
def test_many_scans(tmp_path, sample, codes):
    data, _ = sample
    path = tmp_path / "fuzz.x12"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["scan", str(path), "--summary", "--hcpcs", ",".join(codes)])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
