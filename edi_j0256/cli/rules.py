"""``edi-j0256 rules``: the rule catalogue, or one rule explained."""

from __future__ import annotations

import click

from edi_j0256.cli.common import fail
from edi_j0256.output import write_records, write_table
from edi_j0256.rules import all_rules, get_rule
from edi_j0256.rules.registry import FAMILIES, HEADINGS, Rule

TABLE_FIELDS = ("code", "name", "severity", "root_cause", "carc", "rarc")
RECORD_FIELDS = (*TABLE_FIELDS, "scope", "summary", "fix")


def record(rule: Rule) -> dict:
    return {"code": rule.code, "name": rule.name, "severity": rule.severity,
            "root_cause": rule.root_cause, "carc": rule.carc, "rarc": rule.rarc,
            "scope": rule.scope, "summary": rule.summary, "fix": rule.fix}


def explain(rule: Rule) -> str:
    denial = f"CARC {rule.carc}" if rule.carc else "no CARC (rejected before adjudication)"
    if rule.rarc:
        denial += f" / RARC {rule.rarc}"
    lines = [f"{rule.code} {rule.name}: {rule.summary}", "",
             f"Severity: {rule.severity}    Root cause: {rule.root_cause}    "
             f"Likely denial: {denial}"]
    for heading in HEADINGS:
        text = rule.section(heading)
        if text:
            lines += ["", f"{heading}:", *("  " + t if t else "" for t in text.splitlines())]
    return "\n".join(lines) + "\n"


@click.command("rules")
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(("table", "jsonl", "json", "csv")),
              default="table", show_default=True, help="Catalogue format.")
def command(code, fmt):
    """List the rule catalogue, or explain rule CODE.

    CODE may also be a family prefix (JU units, JM modifiers, JN NDC, JD diagnosis,
    JA authorization, JP coverage criteria, JF frequency and limits, JC coding, IG
    implementation guide) to list only that family.

    \b
    Examples:
      edi-j0256 rules
      edi-j0256 rules JM
      edi-j0256 rules JU002
      edi-j0256 rules --format json
    """
    stream = click.get_text_stream("stdout")
    if code:
        rule = get_rule(code)
        if rule is not None:
            stream.write(explain(rule))
            return
        rules = [r for r in all_rules() if r.code.startswith(code.strip().upper())]
        if not rules:
            families = ", ".join(FAMILIES)
            raise fail(f"unknown rule code or family {code!r} (families: {families})")
    else:
        rules = list(all_rules())
    if fmt == "table":
        rows = [{**record(r), "carc": r.carc or "-", "rarc": r.rarc or "-"} for r in rules]
        write_table(rows, stream, (*TABLE_FIELDS, "summary"), max_width=72)
    else:
        write_records((record(r) for r in rules), fmt, stream, csv_fields=RECORD_FIELDS)
