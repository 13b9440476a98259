"""DataFrames of scan records, findings and remit lines, read by Spark executors with the
project's own readers (the same code the CLI runs, so the rows are the CLI's records).

Executors hand records to Spark as their JSON Lines text (the CLI's own encoder), which the
JVM parses against the schema: cheaper than building Python rows one field at a time.

Inputs are folders, globs or files (local paths, or any URI Spark's ``binaryFiles`` reads).
Files are read with ``binaryFiles``; a large local 837 is cut at ISA/ST boundaries by
:func:`edi_j0256.parallel.plan_pieces` so one file keeps many executors busy (executors then
read their byte range from the path: the folder must be visible to them, as on one machine
or a shared file system). A piece that cannot be read exactly on its own (see
:mod:`edi_j0256.parallel`) makes its file be read whole by one executor instead.

``check`` runs the claim rules per file, then the run rules (7-day frequency, caps per
period, MUE per date, duplicates) per patient after a shuffle by patient, so the findings
equal the CLI's over the same files.
"""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Iterable, Iterator

from edi_j0256.codes import DEFAULT_HCPCS, normalize_codes
from edi_j0256.output import encode_record
from edi_j0256.spark.schema import spark_schema

MIN_PIECE = 64 << 20  # a local file larger than two of these is cut into pieces
_GLOB = set("*?[")


def expand(inputs: Iterable[str]) -> list[str]:
    """Folders and globs as the files they name (sorted); URIs (``hdfs://...``) as given."""
    from edi_j0256.cli.common import gather_inputs

    files: list[str] = []
    for given in inputs:
        if "://" in given:
            files.append(given)
        elif _GLOB & set(given):
            files.extend(gather_inputs(sorted(glob.glob(given, recursive=True))).files)
        else:
            files.extend(gather_inputs([given]).files)
    return files


def _local(uri: str) -> str:
    return uri[5:] if uri.startswith("file:") else uri


def _names(files: list[str]) -> dict[str, str]:
    """``binaryFiles`` names files by absolute URI: map them back to the paths as given."""
    return {os.path.abspath(f): f for f in files if "://" not in f}


def _frame(spark, lines, kind: str):
    """A DataFrame of ``kind`` from an RDD of JSON Lines text."""
    return spark.read.schema(spark_schema(kind)).json(lines)


def _binary(spark, files: list[str]):
    sc = spark.sparkContext
    return sc.union([sc.binaryFiles(f) for f in files]) if files else sc.emptyRDD()


# -- scan -------------------------------------------------------------------------------------

def _scan_bytes(name: str, content: bytes, codes: tuple[str, ...]) -> Iterator[tuple]:
    from edi_j0256.diagnostics import X12ReadError
    from edi_j0256.scan import iter_scan

    records, _ = iter_scan(io.BytesIO(content), name=name, hcpcs=codes)
    try:
        for record in records:
            yield encode_record(record)
    except X12ReadError:
        return  # the CLI reports the file and writes the records read before the error


def _scan_piece(task: tuple, codes: tuple[str, ...]) -> Iterator[tuple]:
    from edi_j0256.parallel import PieceResult, piece_records

    path, index, piece = task
    result = PieceResult("")
    rows = [encode_record(r) for r in piece_records(path, piece, index, codes, result)]
    if not result.exact:
        yield ("inexact", path, None)
        return
    for row in rows:
        yield ("row", path, row)


def scan_frame(spark, inputs: Iterable[str], hcpcs: Iterable[str] = DEFAULT_HCPCS,
               min_piece: int = MIN_PIECE):
    """A DataFrame of scan records (``schemas/scan-record.schema.json``) of the inputs."""
    from edi_j0256.parallel import plan_pieces

    codes = normalize_codes(tuple(hcpcs))
    files = expand(inputs)
    names = _names(files)
    whole, tasks = [], []
    for f in files:
        plan = plan_pieces(f, max(os.path.getsize(f) // min_piece, 1), min_piece) \
            if "://" not in f else []
        if len(plan) > 1:
            tasks.extend((f, i, piece) for i, piece in enumerate(plan))
        else:
            whole.append(f)
    sc = spark.sparkContext
    rows = _binary(spark, whole).flatMap(
        lambda item: _scan_bytes(names.get(_local(item[0]), item[0]), item[1], codes))
    if tasks:
        pieces = sc.parallelize(tasks, len(tasks)).flatMap(lambda t: _scan_piece(t, codes))
        pieces = pieces.cache()
        inexact = sorted(set(pieces.filter(lambda t: t[0] == "inexact")
                             .map(lambda t: t[1]).collect()))
        rows = rows.union(pieces.filter(lambda t: t[0] == "row" and t[1] not in inexact)
                          .map(lambda t: t[2]))
        if inexact:
            rows = rows.union(_binary(spark, inexact).flatMap(
                lambda item: _scan_bytes(names.get(_local(item[0]), item[0]), item[1], codes)))
    return _frame(spark, rows, "scan")


# -- remit ------------------------------------------------------------------------------------

def _remit_bytes(name: str, content: bytes, codes: tuple[str, ...]) -> Iterator[tuple]:
    from edi_j0256.diagnostics import Diagnostics, X12ReadError
    from edi_j0256.remit import read_remits, remit_records

    try:
        payments = read_remits(io.BytesIO(content), name=name, diagnostics=Diagnostics())
        for record in remit_records(payments, hcpcs=list(codes)):
            yield encode_record(record)
    except X12ReadError:
        return


def remit_frame(spark, inputs: Iterable[str], hcpcs: Iterable[str] = DEFAULT_HCPCS):
    """A DataFrame of remit lines (``schemas/remit.schema.json``) of the 835 inputs."""
    codes = normalize_codes(tuple(hcpcs))
    files = expand(inputs)
    names = _names(files)
    rows = _binary(spark, files).flatMap(
        lambda item: _remit_bytes(names.get(_local(item[0]), item[0]), item[1], codes))
    return _frame(spark, rows, "remit")


# -- check ------------------------------------------------------------------------------------

def _check_bytes(index: int, name: str, content: bytes) -> Iterator[tuple]:
    """Claim rules and reader diagnostics of one file, then each claim with J0256 lines keyed
    by its patient (the run rules need only the patient's own claims, in reading order)."""
    from edi_j0256.diagnostics import X12ReadError
    from edi_j0256.rules import Checker
    from edi_j0256.rules.context import drug_lines, member_key

    checker = Checker()
    checker.run_rules = []  # they run after the shuffle, per patient
    claims: list = []
    claim_rules = checker.check_claim

    def check_claim(claim):
        claims.append(claim)
        yield from claim_rules(claim)

    checker.check_claim = check_claim  # type: ignore[method-assign]
    try:
        for found in checker.check_file(io.BytesIO(content), name=name):
            yield ("finding", encode_record(found.record()))
    except X12ReadError:
        return
    for order, claim in enumerate(claims):
        key = member_key(claim)
        if key is not None and drug_lines(claim):
            yield ("claim", (key, [(index, order, claim)]))


def _run_rules(claims: list) -> Iterator[str]:
    """The run rules over one patient's claims, in the run's reading order (file, claim)."""
    from edi_j0256.rules import Checker

    checker = Checker()
    checker.claim_rules = []  # they ran with the file
    for _, _, claim in sorted(claims, key=lambda item: (item[0], item[1])):
        for found in checker.check_claim(claim):
            yield encode_record(found.record())


def findings_frame(spark, inputs: Iterable[str]):
    """A DataFrame of ``check`` findings (``schemas/finding.schema.json``), bundled policies
    and crosswalk, the run rules shuffled by patient (payer, member ID, name, birth date)."""
    files = expand(inputs)
    names = _names(files)
    order = {os.path.abspath(f): i for i, f in enumerate(files)}
    per_file = _binary(spark, files).flatMap(lambda item: _check_bytes(
        order.get(_local(item[0]), len(order)), names.get(_local(item[0]), item[0]), item[1]))
    per_file = per_file.cache()
    claim_findings = per_file.filter(lambda t: t[0] == "finding").map(lambda t: t[1])
    run_findings = (per_file.filter(lambda t: t[0] == "claim").map(lambda t: t[1])
                    .reduceByKey(lambda a, b: a + b)
                    .flatMap(lambda pair: _run_rules(pair[1])))
    return _frame(spark, claim_findings.union(run_findings), "finding")
