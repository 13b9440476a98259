"""IG: implementation-guide conformance through pyx12 (``check --ig``).

pyx12 validates syntax, loop structure, its code lists and counts against the 5010 maps. It
is slow (about 0.1 MB/s) and raises or logs errors on some inputs (its 999 writer needs
ST03, which its own 835 map marks unused): every failure becomes an IG002 finding, never a
crash. pyx12 counts segments where it says "line"; the file line comes from our tokenizer.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from edi_j0256.rules.finding import Hit, Where
from edi_j0256.rules.registry import rule

# pyx12 echoes the offending value (err_val); these segments carry codes, counts and
# amounts, not member IDs, names, addresses or dates of birth, so their values are shown.
# Others (NM1, N3, N4, DMG, REF, PER, PAT, DTP, HI ...) are shown only with show_values.
VALUE_SAFE_SEGMENTS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA", "BHT", "HL", "PRV",
                                 "CLM", "LX", "SV1", "SV2", "SV5", "LIN", "CTP", "CL1"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def ack_file_name(path: str | Path) -> str:
    """The 999's file name for an input: its name with unsafe characters replaced, no
    leading dot, ``.999`` added (never a path: it cannot leave the ack folder)."""
    return (_UNSAFE.sub("_", Path(path).name).lstrip(".") or "input") + ".999"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "pyx12.error_handler":
            return  # validation errors: they are in the JSON error document too
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text = f"{text}: {type(exc).__name__}: {exc}"
        self.messages.append(" ".join(text.split()))


@rule("IG001", "implementation-guide-error", severity="error", root_cause="format", carc=None,
      scope="file")
def implementation_guide_errors(path: str, ack_dir: str | None = None) -> Iterator[Hit]:
    """pyx12 found the file does not conform to the 5010 implementation guide.

    What it does:
        With ``check --ig``, runs pyx12 on the file and reports each interchange, group,
        transaction, segment and element error it finds (syntax, loop structure, required
        elements, code values, counts) at the segment it names. ``--ack-dir DIR`` also
        writes pyx12's 999 acknowledgment there.

    Why payers deny it:
        Implementation-guide errors get the transaction or the whole file rejected by the
        clearinghouse or payer front end (a 999 with AK9 R or E) before any claim is
        adjudicated: no CARC, no payment, and the timely-filing clock keeps running.

    Example:
        An SV1 with SV103 missing: pyx12 reports "Mandatory data element missing".

    Fix:
        Correct the segment at the reported position and resubmit the file.

    Source:
        ASC X12 005010X222A1 (837P) and 005010X223A2 (837I) implementation guides, as
        encoded in pyx12's maps.
    """
    ack = Path(ack_dir) / ack_file_name(path) if ack_dir else None
    return (h for code, h in run_pyx12(path, ack) if code == "IG001")


@rule("IG002", "implementation-guide-check-failed", severity="warning", root_cause="format",
      carc=None, scope="file")
def implementation_guide_check_failed(path: str, ack_dir: str | None = None) -> Iterator[Hit]:
    """pyx12 could not finish checking the file, or could not write its 999.

    What it does:
        Reports an exception raised by pyx12, or an error it logged (for instance its 999
        writer failing on an 835), instead of stopping the run.

    Why payers deny it:
        It is not a denial: it means the implementation-guide check is incomplete for this
        file, so IG001 may have missed errors.

    Example:
        ``check --ig --ack-dir acks`` on an 835: pyx12 cannot build a 999 for it.

    Fix:
        Read the message; validate the file with another implementation-guide checker if
        it matters, or report the pyx12 problem upstream.

    Source:
        pyx12 4.0 behaviour (999 writer and 835 ST03; see the project's pyx12 notes).
    """
    ack = Path(ack_dir) / ack_file_name(path) if ack_dir else None
    return (h for code, h in run_pyx12(path, ack) if code == "IG002")


def run_pyx12(path: str, ack: Path | None = None, *,
              show_values: bool = False) -> Iterator[tuple[str, Hit]]:
    """``(rule code, hit)`` for every IG001 / IG002 finding of one file; pyx12's 999 is
    written to ``ack`` when given. pyx12's offending values are left out of the messages
    except in :data:`VALUE_SAFE_SEGMENTS` (all of them with ``show_values``: they may be
    member IDs or birth dates)."""
    import pyx12.params
    import pyx12.x12n_document

    logger = logging.getLogger("pyx12")
    collect = _Collect()
    logger.addHandler(collect)
    propagate, logger.propagate = logger.propagate, False
    errors, ack_text = io.StringIO(), io.StringIO() if ack else None
    try:
        params = pyx12.params.params()
        pyx12.x12n_document.x12n_document(params, str(path), ack_text, None, fd_json=errors)
    except Exception as exc:  # pyx12 raises EngineError, KeyError ... on some inputs
        collect.messages.append(f"{type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
    hits = list(_error_hits(path, errors.getvalue(), show_values))
    for message in collect.messages:
        hits.append(("IG002", Hit(f"pyx12 could not complete: {message}"[:300],
                                  Where(str(path)))))
    if ack is not None and ack_text is not None:
        text = ack_text.getvalue()
        if text.strip():
            try:
                ack.parent.mkdir(parents=True, exist_ok=True)
                ack.write_text(text, encoding="utf-8")
            except OSError as exc:
                hits.append(("IG002", Hit(f"cannot write the 999 to {ack}: "
                                          f"{exc.strerror or exc}", Where(str(path)))))
        else:
            hits.append(("IG002", Hit("pyx12 wrote no 999 acknowledgment for this file",
                                      Where(str(path)))))
    yield from _with_lines(path, hits)


def _error_hits(path: str, text: str, show_values: bool) -> Iterator[tuple[str, Hit]]:
    if not text.strip():
        return
    try:
        document = json.loads(text)
    except ValueError:
        yield "IG002", Hit("pyx12 wrote unreadable error output", Where(str(path)))
        return
    for isa in document.get("interchanges", []):
        yield from _level(path, isa, "interchange", show_values)
        for gs in isa.get("groups", []):
            yield from _level(path, gs, "group", show_values)
            for st in gs.get("transactions", []):
                yield from _level(path, st, "transaction", show_values)
                for seg in st.get("segments", []):
                    tag, at = seg.get("seg_id") or "", seg.get("cur_line")
                    shown = show_values or tag in VALUE_SAFE_SEGMENTS
                    for error in seg.get("errors", []):
                        yield _hit(path, at, f"{tag}: {_text(error, shown)}")
                    for element in seg.get("elements", []):
                        ref = f"{tag}{int(element.get('ele_pos') or 0):02d}"
                        if element.get("subele_pos"):
                            ref += f"-{element['subele_pos']}"
                        for error in element.get("errors", []):
                            yield _hit(path, at, f"{ref}: {_text(error, shown)}")


def _level(path: str, node: dict, what: str, show_values: bool) -> Iterator[tuple[str, Hit]]:
    for error in node.get("errors", []):
        yield _hit(path, node.get("cur_line"), f"{what}: {_text(error, show_values)}")


def _text(error: dict, show_value: bool) -> str:
    """pyx12's error text and code; its ``err_val`` only when ``show_value`` (pyx12 quotes
    the value inside its text too: every occurrence is replaced then)."""
    text = " ".join(str(error.get("err_str", "")).split())
    value = error.get("err_val")
    value = "" if value is None else str(value)
    if not show_value and value.strip():
        text = text.replace(value.strip(), "(value not shown)")
    text = f"{text} (pyx12 code {error.get('err_cde')})"
    return f"{text}: `{value}`" if show_value and value else text


def _hit(path: str, segment: object, message: str) -> tuple[str, Hit]:
    index = segment if isinstance(segment, int) and segment > 0 else None
    return "IG001", Hit(message, Where(str(path), index))


def _with_lines(path: str, hits: list[tuple[str, Hit]]) -> Iterator[tuple[str, Hit]]:
    """Fill in the file line of each hit's segment index with our tokenizer."""
    wanted = {h.where.segment for _, h in hits if h.where.segment}
    lines: dict[int, int] = {}
    if wanted:
        try:
            from edi_j0256.x12 import read_segments

            last = max(wanted)
            for segment in read_segments(path):
                if segment.index in wanted:
                    lines[segment.index] = segment.line
                if segment.index >= last:
                    break
        except Exception:  # positions are a nicety: a file pyx12 read but we cannot
            pass
    for code, h in hits:
        line = lines.get(h.where.segment) if h.where.segment else None
        yield code, Hit(h.message, Where(h.where.file, h.where.segment, line))
