"""``scan`` on one file split across processes equals the single-process read, byte for byte.

Pieces are forced small (``min_piece``) so the fixtures, the peer corpus and small generated
files are cut at every kind of boundary: ISA after IEA, ST after SE inside one group, several
groups, damaged envelopes (whose GE01 / IEA01 / X2xx checks must come out the same), and
tolerance warnings that make the single reader finish the file.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest

from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.output import write_jsonl, write_records
from edi_j0256.parallel import (
    Joined,
    plan_pieces,
    scan_parallel,
    scan_parallel_jsonl,
    scan_parallel_text,
)
from edi_j0256.scan import iter_scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PEERS = ROOT.parent / "shared" / "corpus" / "peers"


def single(path, codes=("J0256",), fmt="jsonl"):
    diagnostics = Diagnostics()
    records, reader = iter_scan(path, hcpcs=codes, diagnostics=diagnostics)
    out, error = io.StringIO(newline=""), None
    try:
        write_records(records, fmt, out)
    except X12ReadError as exc:
        error = str(exc)
    return out.getvalue(), list(diagnostics), reader.stats, error


def split(path, codes=("J0256",), min_piece=64, jobs=2, fmt=None):
    """The parallel read: records as dicts written here (``fmt`` None, JSON Lines), or the
    workers' own output in ``fmt`` joined."""
    diagnostics = Diagnostics()
    if fmt is None:
        records, state = scan_parallel(path, codes, jobs, diagnostics=diagnostics,
                                       min_piece=min_piece)
    else:
        records, state = scan_parallel_text(path, Joined(fmt), codes, jobs, diagnostics,
                                            min_piece)
    out, error = io.BytesIO(), None
    try:
        if fmt is None:
            text = io.StringIO()
            try:
                write_jsonl(records, text)
            finally:
                out.write(text.getvalue().encode())
        else:
            for block in records:
                out.write(block)
    except X12ReadError as exc:
        error = str(exc)
    return (out.getvalue().decode(), list(diagnostics), state.stats, error), state


def assert_same(path, codes=("J0256",), min_piece=64, expect_cut=True, expect_exact=True):
    """Records, diagnostics, counts and error equal the single read's, for --jobs 2 and 3,
    as dicts and as the workers' JSON Lines and CSV."""
    expected = {fmt: single(path, codes, fmt) for fmt in ("jsonl", "csv")}
    for jobs in (2, 3):
        for fmt in (None, "jsonl", "csv"):
            got, state = split(path, codes, min_piece, jobs, fmt)
            want = expected[fmt or "jsonl"]
            assert got[0] == want[0], (jobs, fmt)
            assert got[1] == want[1]
            assert got[2] == want[2]
            assert got[3] == want[3]
            assert state.records == expected["jsonl"][0].count("\n")
            if expect_cut:
                assert state.pieces > 1
            if expect_exact:
                assert not state.fell_back
    return state


@pytest.fixture(scope="module")
def generated(generated_interchanges, tmp_path_factory) -> Path:
    """Two generated 837Ps (many transactions each) as two interchanges of one file."""
    path = tmp_path_factory.mktemp("gen") / "two-interchanges.x12"
    path.write_bytes(generated_interchanges((3, 4), 0.5))
    return path


def test_generated_multi_interchange_file(generated):
    state = assert_same(generated, min_piece=20_000)
    assert state.pieces >= 6
    assert single(generated)[0].count("\n") > 100


def test_jsonl_blocks_as_text(generated):
    blocks, state = scan_parallel_jsonl(generated, min_piece=20_000)
    assert "".join(blocks) == single(generated)[0]
    assert state.pieces >= 6 and not state.fell_back


def test_csv_pieces_keep_one_header(generated):
    """Every piece's CSV starts with the header; the joined output has it once, first."""
    text, _ = split(generated, min_piece=20_000, fmt="csv")
    lines = text[0].splitlines()
    assert lines[0].startswith("file,interchange_control,group_control,")
    assert lines.count(lines[0]) == 1 and len(lines) == text[0].count("\n") > 100


def test_joined_csv_of_no_records_is_empty(tmp_path):
    """No record, no header: what write_csv writes for an empty listing."""
    path = tmp_path / "none.x12"
    path.write_bytes((FIXTURES / "837p-medicare.x12").read_bytes() * 3)
    got, state = split(path, codes=("99999",), min_piece=256, fmt="csv")
    assert got[0] == "" and state.pieces > 1 and state.records == 0


def test_generated_all_codes(generated):
    assert_same(generated, codes=("J0256", "96365", "99214"), min_piece=50_000)


def test_plan_cuts_at_isa_and_st(generated):
    data = generated.read_bytes()
    plan = plan_pieces(generated, 12, 20_000)
    assert plan[0].start == 0 and plan[-1].end == len(data)
    for before, after in zip(plan, plan[1:], strict=False):
        assert before.end == after.start
        assert data[after.start:after.start + 3] in (b"ISA", b"ST*")
        assert bool(after.prefix) == (data[after.start:after.start + 3] == b"ST*")
        assert before.open_end == bool(after.prefix)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("837*.x12")))
def test_fixtures(name, tmp_path):
    """Each fixture three times over (three interchanges), cut into tiny pieces."""
    path = tmp_path / name
    path.write_bytes((FIXTURES / name).read_bytes() * 3)
    assert_same(path, min_piece=256)


def test_peer_corpus(peers_dir):
    files = sorted(p for p in peers_dir.rglob("*") if p.is_file() and p.stat().st_size > 2000
                   and p.suffix != ".md")
    assert files
    for path in files:
        assert_same(path, min_piece=500, expect_cut=False, expect_exact=False)


def test_wrong_group_and_interchange_counts_reported_the_same(generated, tmp_path):
    data = generated.read_bytes()
    ge = data.index(b"\nGE*") + 1
    end = data.index(b"~", ge)
    damaged = data[:ge] + b"GE*1*" + data[ge:end].split(b"*")[2] + data[end:]
    path = tmp_path / "bad-ge.x12"
    path.write_bytes(damaged.replace(b"\nIEA*1*", b"\nIEA*7*", 1))
    single_diagnostics = single(path)[1]
    assert {d.code for d in single_diagnostics} >= {"X213", "X203"}
    assert_same(path, min_piece=20_000)


def test_missing_iea_and_se(generated, tmp_path):
    data = generated.read_bytes()
    iea = data.index(b"\nIEA*") + 1
    data = data[:iea] + data[data.index(b"~", iea) + 2:]  # first interchange loses its IEA
    se = data.rindex(b"\nSE*") + 1
    data = data[:se] + data[data.index(b"~", se) + 2:]  # the last transaction loses its SE
    path = tmp_path / "unclosed.x12"
    path.write_bytes(data)
    assert {"X201", "X225"} <= {d.code for d in single(path)[1]}
    assert_same(path, min_piece=20_000, expect_exact=False)


def test_tolerance_warning_hands_over_to_the_single_reader(generated, tmp_path):
    data = generated.read_bytes()
    middle = data.index(b"\nCLM*", len(data) * 2 // 3)
    path = tmp_path / "empty-segment.x12"
    path.write_bytes(data[:middle] + b"~~" + data[middle:])
    assert any(d.code == "X107" for d in single(path)[1])
    state = assert_same(path, min_piece=20_000, expect_exact=False)
    assert state.fell_back


def test_not_x12_raises_the_same_error(tmp_path):
    path = tmp_path / "junk.x12"
    path.write_bytes(b"hello " * 5000)
    got, _ = split(path, min_piece=64)
    assert got[3] == single(path)[3] and got[3] is not None


def test_diagnostics_sink_sees_every_diagnostic(generated, tmp_path):
    data = generated.read_bytes().replace(b"\nSE*", b"\nSE*9", 5)  # wrong SE01 counts
    path = tmp_path / "se.x12"
    path.write_bytes(data)
    seen = []
    diagnostics = Diagnostics(keep_per_code=2, sink=seen.append)
    records, _ = scan_parallel(path, jobs=2, diagnostics=diagnostics, min_piece=20_000)
    list(records)
    expected = single(path)[1]
    assert [d.code for d in expected].count("X223") == 5
    assert seen == expected
    assert [d.code for d in diagnostics].count("X223") == 2


def test_small_file_is_not_cut():
    assert len(plan_pieces(FIXTURES / "837p-medicare.x12", 4)) == 1


# -- check ------------------------------------------------------------------------------------

def _checked(paths, parallel: bool, min_piece: int, jobs: int = 2):
    from edi_j0256.parallel import check_file_parallel
    from edi_j0256.rules import Checker

    checker = Checker()
    if parallel:  # the pieces must do the work: no quiet fall-back to the single read
        def refuse(path, name=None):
            raise AssertionError(f"{path} was read whole")
        checker.check_file = refuse
    found = []
    for path in paths:
        found += (check_file_parallel(checker, path, jobs, min_piece) if parallel
                  else checker.check_file(path))
    found += checker.finish()
    return [f.record() for f in found], _state(checker)


def _state(checker) -> tuple:
    counts, context = checker.counts, checker.context
    return (counts.files, counts.claims, counts.lines, dict(counts.by_severity),
            dict(counts.by_code), checker.position, context.remembered, context.claims_seen,
            _history(context.history))


def _history(history) -> dict:
    """The run rules' history as what it holds: per patient, each date's units, units per
    claim, line signatures and recent doses, with file names spelled out (the packed bytes
    number the files in the order they were first packed, which the pieces may change)."""
    import marshal

    from edi_j0256.rules.history import Day

    history._pack_live()  # the live patient too, as the others are kept
    decoded = {}
    for key, packed in history.packed.items():
        days = [(ordinal, Day.unpack(day, history.names)) for ordinal, day in
                marshal.loads(packed)]
        decoded[key] = [(ordinal, day.units, day.by_claim, day.signatures, day.given)
                        for ordinal, day in days]
    return decoded


def assert_same_findings(paths, min_piece):
    """Findings (order included), counts, position and the run's history equal
    ``check_file``'s, for --jobs 2 and 3 (as many patient buckets)."""
    expected = _checked(paths, False, min_piece)
    for jobs in (2, 3):
        assert _checked(paths, True, min_piece, jobs) == expected, jobs
    return expected


def test_check_on_pieces_equals_check_file(tmp_path):
    """Fixtures and rule triggers, each three times over: the run rules (duplicates, 7-day
    frequency, caps) fire across pieces."""
    names = ["837p-billing-errors.x12", "837p-commercial.x12", "837i-outpatient.x12"]
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes((FIXTURES / name).read_bytes() * 3)
        paths.append(path)
    for trigger in sorted((FIXTURES / "rules").glob("J[CF]00[1-5]-trigger*.x12")):
        path = tmp_path / trigger.name
        path.write_bytes(trigger.read_bytes() * 2)
        paths.append(path)
    findings, counts = assert_same_findings(paths, 256)
    assert {"JC005", "JF001"} <= {f["code"] for f in findings}
    assert counts[0] == len(paths)


def test_check_on_pieces_every_rule_fixture(tmp_path):
    """Every rule fixture and the void / replacement histories, each three times over and
    cut into tiny pieces: voids and replacements take back doses read in earlier pieces."""
    sources = sorted((FIXTURES / "rules").glob("*.x12"))
    sources += sorted((FIXTURES / "reconcile").glob("837p-history-*.x12"))
    paths = []
    for source in sources:
        path = tmp_path / source.name
        path.write_bytes(source.read_bytes() * 3)
        paths.append(path)
    findings, counts = assert_same_findings(paths, 256)
    codes = {f["code"] for f in findings}
    assert {"JC005", "JF001", "JF003", "JF004", "JC008"} <= codes
    assert counts[0] == len(paths) and len(findings) > 500


def test_check_on_generated_pieces(generated):
    _, counts = assert_same_findings([generated], 20_000)
    assert counts[1] > 100  # J0256 claims checked (the generator writes clean claims)


def test_check_with_reader_diagnostics(generated, tmp_path):
    data = generated.read_bytes().replace(b"\nSE*", b"\nSE*9", 5)
    path = tmp_path / "se.x12"
    path.write_bytes(data)
    findings, _ = assert_same_findings([path], 20_000)
    assert [f["code"] for f in findings].count("X223") == 5


def test_check_hands_an_inexact_file_to_check_file_with_the_state_put_back(generated,
                                                                           tmp_path):
    """A tolerance warning in a late piece: the parent has already replayed the pieces
    before it, so the checker's state must be put back before check_file reads the file;
    the first file's doses must still count (JC005 against it)."""
    import edi_j0256.parallel as parallel
    from edi_j0256.rules import Checker

    data = generated.read_bytes()
    middle = data.index(b"\nCLM*", len(data) * 5 // 6)
    damaged = tmp_path / "empty-segment.x12"
    damaged.write_bytes(data[:middle] + b"~~" + data[middle:])
    paths = [generated, damaged]
    expected = _checked(paths, False, 20_000)
    checker, serial_reads, found = Checker(), [], []
    serial = checker.check_file
    for path in paths:
        found += parallel.check_file_parallel(
            checker, path, 2, 20_000,
            serial=lambda p: serial_reads.append(p) or serial(p))
    found += checker.finish()
    got = ([f.record() for f in found], _state(checker))
    assert serial_reads == [str(damaged)]
    assert got == expected
    assert checker.counts.by_code["JC005"] > 100 and checker.counts.by_code["X107"] > 0


def _doubled(generated, tmp_path) -> Path:
    """The generated file twice over: every patient's claims fall in two far-apart pieces."""
    path = tmp_path / "twice.x12"
    path.write_bytes(generated.read_bytes() * 2)
    return path


def test_check_a_dead_worker_hands_the_file_to_check_file(generated, tmp_path, monkeypatch):
    """A worker that dies on a late piece, after the parent has merged (and given) the
    findings of the pieces before it: check_file reads the file from the state before it,
    and the findings already given are not given twice."""
    import edi_j0256.parallel as parallel
    from edi_j0256.rules import Checker

    path = _doubled(generated, tmp_path)
    expected = _checked([path], False, 20_000)
    sixth = parallel.plan_pieces(path, 6, 20_000)[5].start
    real = parallel._RangeReader.__init__

    def dies_late(reader, path, piece, terminator):
        if piece.start >= sixth:
            raise MemoryError("worker out of memory")
        real(reader, path, piece, terminator)

    monkeypatch.setattr(parallel._RangeReader, "__init__", dies_late)  # the workers fork
    merged, serial_reads = [], []
    monkeypatch.setattr(parallel._Merge, "piece",
                        lambda merge, piece, real=parallel._Merge.piece:
                        merged.append(piece) or real(merge, piece))
    checker = Checker()
    serial = checker.check_file
    found = list(parallel.check_file_parallel(
        checker, path, 2, 20_000, serial=lambda p: serial_reads.append(p) or serial(p)))
    found += checker.finish()
    assert ([f.record() for f in found], _state(checker)) == expected
    assert serial_reads == [str(path)] and len(merged) == 5
    assert checker.counts.by_code["JC005"] > 100  # the second copy repeats the first


def test_check_a_plan_given_up_midway_reads_the_file_whole(generated, tmp_path, monkeypatch):
    """Pieces already handed to the workers when the planner finds the file cannot be cut
    (its last item None): none is merged, check_file reads the file."""
    import edi_j0256.parallel as parallel
    from edi_j0256.rules import Checker

    path = _doubled(generated, tmp_path)
    expected = _checked([path], False, 20_000)
    real = parallel.iter_pieces

    def given_up(*args):
        yield from itertools.islice(real(*args), 3)
        yield None

    monkeypatch.setattr(parallel, "iter_pieces", given_up)
    merged = []
    monkeypatch.setattr(parallel._Merge, "piece", lambda merge, piece: merged.append(piece))
    checker = Checker()
    found = list(parallel.check_file_parallel(checker, path, 2, 20_000)) + list(checker.finish())
    assert ([f.record() for f in found], _state(checker)) == expected and merged == []


def test_a_dead_worker_hands_the_file_to_the_single_reader(generated, monkeypatch):
    import edi_j0256.parallel as parallel

    def die(*args, **kwargs):
        raise MemoryError("worker out of memory")

    monkeypatch.setattr(parallel, "scan_piece", die)
    got, state = split(generated, min_piece=20_000)
    assert state.fell_back
    assert got[0] == single(generated)[0]


def test_scan_command_jobs_2_on_one_file_equals_jobs_1(generated, monkeypatch, tmp_path):
    """`scan --jobs 2` on ONE file cuts it (both cores) and writes exactly what --jobs 1 does."""
    from click.testing import CliRunner

    import edi_j0256.parallel as parallel
    from edi_j0256.cli import cli

    monkeypatch.setattr(parallel, "MIN_PIECE", 20_000)
    cuts = []
    real_plan = parallel.plan_pieces
    monkeypatch.setattr(parallel, "plan_pieces",
                        lambda *a, **k: cuts.append(real_plan(*a, **k)) or cuts[-1])
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}.jsonl"
        diagnostics = tmp_path / f"jobs{jobs}.diag"
        result = CliRunner().invoke(cli, ["scan", str(generated), "-j", jobs, "-o", str(out),
                                          "--diagnostics", str(diagnostics), "-q"])
        assert result.exit_code == 0, result.output
        outputs.append((out.read_bytes(), diagnostics.read_bytes()))
    assert len(cuts) == 1 and len(cuts[0]) >= 2  # only --jobs 2 planned pieces, and cut
    assert outputs[0] == outputs[1] and outputs[0][0].count(b"\n") > 100


@pytest.mark.parametrize("fmt", ["jsonl", "text"])
def test_check_command_jobs_2_on_one_file_equals_jobs_1(generated, monkeypatch, tmp_path, fmt):
    """`check --jobs 2` on ONE file cuts it and writes exactly what --jobs 1 does, with the
    run rules firing across pieces (the file and a copy of it, so every line repeats)."""
    from click.testing import CliRunner

    import edi_j0256.parallel as parallel
    from edi_j0256.cli import cli

    data = generated.read_bytes().replace(b"\nSE*", b"\nSE*9", 3)
    path = tmp_path / "twice.x12"
    path.write_bytes(data * 2)
    monkeypatch.setattr(parallel, "MIN_PIECE", 20_000)
    pieces = []
    real = parallel._Merge.piece  # in the parent: each piece a worker read, merged
    monkeypatch.setattr(parallel._Merge, "piece",
                        lambda merge, piece: pieces.append(piece) or real(merge, piece))
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}.{fmt}"
        result = CliRunner().invoke(cli, ["check", str(path), str(FIXTURES / "837p-commercial.x12"),
                                          "-j", jobs, "--format", fmt, "-o", str(out)])
        assert result.exit_code == 1, result.output  # errors found (X223, duplicates)
        outputs.append(out.read_bytes())
    assert len(pieces) >= 6  # --jobs 2 cut the large file (the fixture is too small to cut)
    assert outputs[0] == outputs[1]
    text = outputs[0].decode()
    assert text.count("JC005") > 100 and text.count("X223") == 6


def test_claim_doses_survive_the_spool_exactly():
    """What round 1 spools of a claim for the run rules (``RuleContext.doses``, packed to
    plain values) comes back equal, Decimals and policy included, for every claim of the
    fixtures: voids, replacements, JW lines."""
    from edi_j0256.claims import read_claims
    from edi_j0256.parallel import pack_doses, policy_profiles, unpack_doses
    from edi_j0256.rules import RuleContext

    context = RuleContext()
    profiles = policy_profiles(context)
    index = {id(policy): n for n, policy in enumerate(profiles)}
    seen = []
    for path in sorted(FIXTURES.glob("837*.x12")) + sorted((FIXTURES / "rules").glob("*.x12")):
        for claim in read_claims(path):
            doses = context.doses(claim)
            back = unpack_doses(pack_doses(doses, index), profiles)
            assert back == doses, (path.name, claim.claim_id)
            assert [type(line[1]) for line in back.lines] == [type(line[1])
                                                               for line in doses.lines]
            seen.append(doses)
    assert any(d.lines for d in seen)
    assert any(d.frequency == "8" for d in seen) and any(d.policy is None for d in seen)
    assert any(waste for d in seen for _, _, waste, *_ in d.lines)
