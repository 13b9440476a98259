"""``python -m edi_j0256.spark scan|check|remit FILES_OR_GLOBS... -o DIR``: Parquet via Spark."""

from __future__ import annotations

import sys

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("what", type=click.Choice(("scan", "check", "remit")))
@click.argument("inputs", nargs=-1, required=True)
@click.option("--output", "-o", required=True, metavar="DIR",
              help="Parquet output folder (replaced if it exists).")
@click.option("--master", metavar="URL", help="Spark master (default local[2]).")
@click.option("--hcpcs", multiple=True, metavar="CODE[,CODE]",
              help="Procedure codes for scan and remit (default J0256).")
@click.option("--min-piece-mb", type=click.IntRange(1), default=64, show_default=True,
              help="Cut local files larger than twice this into pieces (one executor each).")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False),
              help="check: payer policy TOML overriding the bundled profiles (as check's).")
@click.option("--ndc-crosswalk", "crosswalk_file", type=click.Path(dir_okay=False),
              help="check: CMS ASP NDC-HCPCS crosswalk CSV replacing the bundled table.")
@click.option("--mue", "mue_files", multiple=True, type=click.Path(dir_okay=False),
              help="check: CMS MUE table CSV replacing the bundled values of its setting "
                   "(repeatable).")
@click.option("--select", multiple=True, metavar="CODES",
              help="check: only these rule codes or prefixes (as check's --select).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="check: skip these rule codes or prefixes (as check's --ignore).")
def main(what, inputs, output, master, hcpcs, min_piece_mb, policy_file, crosswalk_file,
         mue_files, select, ignore):
    """Read X12 FILES_OR_GLOBS (folders, globs, URIs) with Spark and write Parquet to DIR.

    An input that gives no file (missing, unreadable, a glob matching nothing) or cannot be
    read (not X12; for remit, no 835 in it) is named in one line and the others are still
    read; the exit code is then 2.

    The policy, crosswalk and MUE files are read here (on the driver) and sent to the
    executors, so they need not be on the executors' machines.

    \b
    Examples:
      python -m edi_j0256.spark scan 'drop/*.x12' -o out/scan
      python -m edi_j0256.spark check drop/ -o out/findings --policy payers.toml
      python -m edi_j0256.spark remit era/ -o out/remit --master spark://head:7077
    """
    from edi_j0256.cli.common import echo_err, fail

    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise fail("Spark output needs pyspark: pip install 'edi-j0256[spark]'") from None
    from edi_j0256.codes import normalize_codes
    from edi_j0256.spark import findings_frame, remit_frame, scan_frame, session
    from edi_j0256.spark.frames import gather, unusable

    found = gather(inputs)
    found.report()  # error: PATH: reason
    if not found.files:
        raise SystemExit(2)
    codes = normalize_codes(hcpcs or None)
    min_piece = min_piece_mb << 20
    check = _check_options(policy_file, crosswalk_file, mue_files, select, ignore) \
        if what == "check" else {}
    spark = session(master)
    problems = unusable(spark)
    if what == "scan":
        frame = scan_frame(spark, found.files, codes, min_piece=min_piece, problems=problems)
    elif what == "remit":
        frame = remit_frame(spark, found.files, codes, min_piece=min_piece, problems=problems)
    else:
        frame = findings_frame(spark, found.files, min_piece=min_piece, problems=problems,
                               **check)
    frame.write.mode("overwrite").parquet(output)
    count = spark.read.parquet(output).count()
    click.echo(f"{output}: {count} {what} rows", err=True)
    unread = sorted(set(problems.value))
    spark.stop()
    for message in unread:
        echo_err(f"error: {message}")
    if found.problems or unread:
        raise SystemExit(2)  # named above; the other inputs were read


def _check_options(policy_file, crosswalk_file, mue_files, select, ignore) -> dict:
    """``findings_frame``'s keywords from the options, loaded as ``check`` loads them (a
    bad file: one line, exit 2, before Spark starts)."""
    from edi_j0256.cli.check import split_codes
    from edi_j0256.cli.common import echo_err, fail
    from edi_j0256.rules import CrosswalkError, PolicyError, load_crosswalk, load_policies
    from edi_j0256.rules.mue import MueError, load_mue

    try:
        options = {"select": split_codes(select, "--select"),
                   "ignore": split_codes(ignore, "--ignore"),
                   "policies": load_policies(policy_file),
                   "crosswalk": load_crosswalk(crosswalk_file), "mue": load_mue(mue_files)}
    except (PolicyError, CrosswalkError, MueError) as exc:
        raise fail(str(exc)) from None
    skipped = options["crosswalk"].skipped
    if skipped:
        echo_err(f"warning: {crosswalk_file}: {skipped} row{'s' if skipped != 1 else ''} "
                 "skipped (NDC cell not an NDC)")
    return options


if __name__ == "__main__":
    sys.exit(main())
