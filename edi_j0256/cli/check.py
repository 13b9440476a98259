"""``edi-j0256 check``: the J0256 coding-rule validator (options in, library, a writer out)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import click

from edi_j0256.cli.common import echo_err, emit, expand_inputs, fail, open_output
from edi_j0256.rules import (
    FIELDS,
    RULES,
    Checker,
    CrosswalkError,
    Finding,
    PolicyError,
    RuleContext,
    load_crosswalk,
    load_policies,
)
from edi_j0256.rules.finding import SEVERITY_RANK
from edi_j0256.rules.mue import MueError, load_mue
from edi_j0256.rules.registry import FAMILIES
from edi_j0256.safe_text import escape_controls

CHECK_FORMATS = ("text", "jsonl", "json", "csv", "parquet")


def split_codes(values: tuple[str, ...], option: str) -> tuple[str, ...]:
    """``--select JU,JM001 --select JN`` -> ('JU', 'JM001', 'JN'); unknown prefixes fail."""
    codes = tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())
    for code in codes:
        known = any(r.startswith(code) for r in RULES) or code in FAMILIES
        if not known and not code.startswith("X"):  # X1xx-X3xx: reader diagnostics
            raise fail(f"{option}: unknown rule code or prefix {code!r} "
                       "(see 'edi-j0256 rules')")
    return codes


FLUSH_EVERY = 5000  # text findings held before the ones that can no longer move are written


def _key(order: dict[str, int], finding: Finding) -> tuple:
    return (order.get(finding.file or "", len(order)), finding.file or "", finding.segment or 0,
            finding.code)


def text_lines(findings: Iterable[Finding], files: list[str],
               checker: Checker | None = None) -> Iterator[str]:
    """Findings grouped by file (in the order given), then by position; control characters
    in values are shown escaped, so a claim value cannot drive the terminal.

    With ``checker`` (not running pyx12, whose findings come at a file's end), findings
    before the claim being checked are written as the run goes, so a large file's findings
    are not all held in memory; the order is the same.
    """
    order = {name: i for i, name in enumerate(files)}
    held: list[Finding] = []
    previous: list[str | None] = []

    def emit(batch: list[Finding]) -> Iterator[str]:
        for finding in sorted(batch, key=lambda f: _key(order, f)):
            if previous and finding.file != previous[0]:
                yield ""
            previous[:] = [finding.file]
            yield escape_controls(str(finding))

    streaming = checker is not None and not checker.ig
    for finding in findings:
        held.append(finding)
        if streaming and len(held) >= FLUSH_EVERY and checker.position is not None:
            file, segment = checker.position
            now = (order.get(file or "", len(order)), file or "", segment)
            ready, keep = [], []
            for f in held:
                (ready if _key(order, f)[:3] < now else keep).append(f)
            yield from emit(ready)
            held = keep
    yield from emit(held)


def summary(checker: Checker) -> str:
    counts, unusable = checker.counts, len(checker.unusable)
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s in ("error", "warning", "info")
             if (n := counts.by_severity.get(s, 0)) or s != "info"]
    text = (f"Checked {counts.files} file{'s' if counts.files != 1 else ''}, {counts.claims} "
            f"J0256 claim{'s' if counts.claims != 1 else ''}, {counts.lines} J0256 "
            f"line{'s' if counts.lines != 1 else ''}: {', '.join(parts)}.")
    if unusable:
        text += f" {unusable} file{'s' if unusable != 1 else ''} could not be checked."
    return text


@click.command("check")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write findings to this file instead of standard output (required for "
                   "parquet).")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these rule codes or prefixes (repeatable or comma-separated: JU,JM001).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Skip these rule codes or prefixes (repeatable or comma-separated).")
@click.option("--fail-on", type=click.Choice(("error", "warning")), default="error",
              show_default=True, help="Exit 1 when a finding of this severity or worse is found.")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False),
              help="Payer policy TOML overriding the bundled profiles.")
@click.option("--ndc-crosswalk", "crosswalk_file", type=click.Path(dir_okay=False),
              help="CMS ASP NDC-HCPCS crosswalk CSV (as published, any layout since 2023) "
                   "replacing the bundled table.")
@click.option("--mue", "mue_files", multiple=True, type=click.Path(dir_okay=False),
              help="CMS MUE table CSV as published (one per setting: practitioner, outpatient "
                   "hospital; repeatable) replacing the bundled values of its setting.")
@click.option("--ig", is_flag=True,
              help="Also validate each file against the 5010 implementation guide (pyx12; slow).")
@click.option("--ack-dir", type=click.Path(file_okay=False),
              help="With --ig (implied), write pyx12's 999 for each file into this directory "
                   "(NAME.999; NAME-2.999 ... when two inputs share a name).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Read each large file in this many processes (cut at ISA/ST boundaries); "
                   "the findings are the same as with 1.")
@click.option("--ig-values", is_flag=True,
              help="Show the values pyx12 quotes in --ig findings (they may be member IDs or "
                   "birth dates: PHI). Default: left out, except codes and amounts.")
def command(files, fmt, output, select, ignore, fail_on, policy_file, crosswalk_file,
            mue_files, ig, ack_dir, jobs, ig_values):
    """Check the J0256 lines of 837P / 837I FILES (or folders) against billing rules.

    Every finding names the rule, the position (file, line, claim CLM01, line LX01), the
    root cause, the fix and the denial (CARC / RARC) it would most likely draw. Frequency,
    unit-cap and duplicate rules look across all FILES of the run. Payer requirements come
    from policy profiles picked by payer ID or SBR09 (see 'edi-j0256 rules' for the
    catalogue and 'edi-j0256 rules CODE' for one rule).

    \b
    Examples:
      edi-j0256 check claims.x12
      edi-j0256 check week1.x12 week2.x12 --format jsonl --fail-on warning
      edi-j0256 check claims.x12 --select JU,JM --ignore JM006 --policy payers.toml
      edi-j0256 check claims.x12 --ig --ack-dir acks/
      edi-j0256 check big.x12 --jobs 2 --format jsonl -o findings.jsonl
      edi-j0256 check drop/ --format parquet -o findings.parquet

    Exit codes: 0 nothing at or above --fail-on; 1 something was; 2 an input could not be
    checked (not X12, not an 837 claim file, unreadable: named in one line each, the others
    are still checked), a bad option, policy, crosswalk or MUE file, or an output error.
    """
    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet needs --output PATH")
    try:
        select_codes = split_codes(select, "--select")
        ignore_codes = split_codes(ignore, "--ignore")
        crosswalk = load_crosswalk(crosswalk_file)
        context = RuleContext(load_policies(policy_file), crosswalk, load_mue(mue_files))
    except (PolicyError, CrosswalkError, MueError) as exc:
        raise fail(str(exc)) from None
    if crosswalk.skipped:
        echo_err(f"warning: {crosswalk_file}: {crosswalk.skipped} row"
                 f"{'s' if crosswalk.skipped != 1 else ''} skipped (NDC cell not an NDC)")
    ig = ig or bool(ack_dir)
    files = [path for name in files
             for path in ([name] if name == "-" else expand_inputs([name]))]
    if ig and "-" in files:
        raise fail("--ig cannot read standard input: give a file path")
    if ack_dir:
        try:
            Path(ack_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise fail(f"cannot create --ack-dir {ack_dir}: {exc.strerror or exc}") from None
    checker = Checker(context, select=select_codes, ignore=ignore_codes, ig=ig,
                      ack_dir=ack_dir, ig_values=ig_values)
    if jobs > 1:
        on_pieces(checker, jobs)
    worst = SEVERITY_RANK[fail_on]
    failing = 0

    def findings() -> Iterator[Finding]:
        nonlocal failing
        stdin = click.get_binary_stream("stdin") if "-" in files else None
        for found in checker.check_inputs(files, stdin, on_unusable=report_unusable):
            failing += SEVERITY_RANK[found.severity] >= worst
            yield found

    if fmt == "text":
        with open_output(output, fmt) as stream:
            for text in text_lines(findings(), list(files), checker):
                stream.write(text + "\n")
            stream.write(summary(checker) + "\n")
    else:
        emit((f.record() for f in findings()), fmt, output, (), csv_fields=FIELDS,
             kind="finding")
    if checker.unusable:
        raise SystemExit(2)
    raise SystemExit(1 if failing else 0)


def on_pieces(checker: Checker, jobs: int) -> None:
    """Make ``checker`` read each file given by path in ``jobs`` processes (one file after
    the other: the run rules need the files in order); standard input is read as before."""
    from edi_j0256 import parallel

    serial = checker.check_file

    def check_file(path, name=None):
        if name is not None or not isinstance(path, (str, Path)) or not os.path.isfile(path):
            return serial(path, name=name)  # stdin, archive members, ...
        return parallel.check_file_parallel(checker, path, jobs, parallel.MIN_PIECE,
                                            serial=serial)

    checker.check_file = check_file


def report_unusable(message: str) -> None:
    echo_err(f"error: {escape_controls(message)}")
