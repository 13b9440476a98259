"""PySpark adapter (the ``spark`` extra): DataFrames of scan records, findings and remit lines.

    from edi_j0256.spark import session, scan_frame
    spark = session()                      # local[2]; session("spark://host:7077") for a cluster
    scan_frame(spark, ["drop/*.x12"]).write.parquet("out/scan")

``python -m edi_j0256.spark scan|check|remit FILES_OR_GLOBS... -o DIR`` writes Parquet.
"""

from __future__ import annotations

from edi_j0256.spark.frames import expand, findings_frame, remit_frame, scan_frame
from edi_j0256.spark.schema import spark_schema, to_row

__all__ = ["expand", "findings_frame", "remit_frame", "scan_frame", "session", "spark_schema",
           "to_row"]


def session(master: str | None = None, app: str = "edi-j0256"):
    """A SparkSession: ``local[2]`` unless ``master`` (or spark-submit) says otherwise."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    elif not _submitted():
        builder = builder.master("local[2]")
    return (builder.config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC").getOrCreate())


def _submitted() -> bool:
    """Whether spark-submit started this process (it then chose the master)."""
    import os

    return bool(os.environ.get("PYSPARK_GATEWAY_PORT"))
