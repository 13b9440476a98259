"""Dollars by payer and root cause over remit records, for the terminal summary.

Each adjustment's amount goes to its first root cause (the CARC's, refined by the first RARC
that refines it), so the amounts of a payer add up to its charges minus its payments.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from edi_j0256.output import write_table


def summarize(records: Iterable[dict]) -> list[dict]:
    """Rows of ``payer_name, root_cause, lines, amount``, largest amounts first."""
    totals: dict[tuple[str, str], list] = {}
    for record in records:
        payer = record.get("payer_name") or "(no payer name)"
        seen: set[str] = set()
        for adjustment in record.get("adjustments", ()):
            cause = (adjustment.get("root_causes") or ["other"])[0]
            row = totals.setdefault((payer, cause), [0, Decimal(0)])
            row[1] += adjustment.get("amount") or Decimal(0)
            if cause not in seen:
                row[0] += 1
                seen.add(cause)
    rows = [{"payer_name": payer, "root_cause": cause, "lines": n, "amount": amount}
            for (payer, cause), (n, amount) in totals.items()]
    return sorted(rows, key=lambda r: (r["payer_name"], -r["amount"], r["root_cause"]))


def write_summary(records: Iterable[dict], stream: IO[str]) -> None:
    """A short table: adjusted dollars by payer and root cause."""
    rows = summarize(records)
    stream.write("Adjusted dollars by payer and root cause\n")
    if not rows:
        stream.write("(no adjustments)\n")
        return
    shown = [{**r, "amount": f"{r['amount']:,.2f}"} for r in rows]
    write_table(shown, stream, ("payer_name", "root_cause", "lines", "amount"), max_width=40)
