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
              help="scan: cut local files larger than twice this into pieces.")
def main(what, inputs, output, master, hcpcs, min_piece_mb):
    """Read X12 FILES_OR_GLOBS (folders, globs, URIs) with Spark and write Parquet to DIR.

    \b
    Examples:
      python -m edi_j0256.spark scan 'drop/*.x12' -o out/scan
      python -m edi_j0256.spark remit era/ -o out/remit --master spark://head:7077
    """
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise click.ClickException("Spark output needs pyspark: pip install 'edi-j0256[spark]'"
                                   ) from None
    from edi_j0256.codes import normalize_codes
    from edi_j0256.spark import findings_frame, remit_frame, scan_frame, session

    codes = normalize_codes(hcpcs or None)
    spark = session(master)
    if what == "scan":
        frame = scan_frame(spark, inputs, codes, min_piece=min_piece_mb << 20)
    elif what == "remit":
        frame = remit_frame(spark, inputs, codes)
    else:
        frame = findings_frame(spark, inputs)
    frame.write.mode("overwrite").parquet(output)
    count = spark.read.parquet(output).count()
    click.echo(f"{output}: {count} {what} rows", err=True)
    spark.stop()


if __name__ == "__main__":
    sys.exit(main())
