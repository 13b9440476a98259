"""CMS Medically Unlikely Edits (MUE): the most units of a code per line or date of service.

The bundled ``data/mue_2026-10-01.csv`` holds CMS's values for the alpha-1 proteinase
inhibitor codes, dated and with their source. ``check --mue FILE`` (repeatable, one file per
setting) loads CMS's quarterly MUE CSV exactly as published and replaces the bundled values
of that file's setting:

- latin-1 text; the first row is the AMA copyright notice in one quoted, multi-line cell;
- a header row whose first cell holds a line break (``HCPCS/`` newline ``CPT Code``), a
  ``<Setting> MUE Values`` column naming the setting (Practitioner Services, Outpatient
  Hospital Services, DME Supplier Services), ``MUE Adjudication Indicator`` written like
  ``3 Date of Service Edit: Clinical``, and ``MUE Rationale``.

Columns are found by name, so a reordered or extended layout still loads.

Which table applies to which claim (:data:`SETTING_OF_TRANSACTION`): an 837P is checked
against the practitioner services table and an 837I against the outpatient hospital services
table. The DME supplier services table is loaded (bundled: J0256 0, so any unit a DME
supplier bills is over it) but applied to no claim. The project's domain notes
(``shared/domain/J0256.md``, "CMS Medically Unlikely Edits") give its value and say nothing
of how a DME supplier's claim is told apart: it is an 837P (005010X222A1) like a
practitioner's, sent to a DME MAC, and neither the payer IDs of the DME MACs nor a taxonomy
rule (billing provider PRV03) are in the notes. Until they are, applying the 0 to some
837Ps would be a guess.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

BUNDLED_MUE = "mue_2026-10-01.csv"
SETTINGS = {"PRACTITIONER SERVICES": "practitioner", "OUTPATIENT HOSPITAL SERVICES":
            "outpatient", "DME SUPPLIER SERVICES": "dme"}
SETTING_OF_TRANSACTION = {"837P": "practitioner", "837I": "outpatient"}  # never "dme": above
SETTING_WORDS = {"practitioner": "practitioner services", "outpatient":
                 "outpatient hospital services", "dme": "DME supplier services"}
MAI_WORDS = {1: "per claim line", 2: "per date of service (policy)",
             3: "per date of service"}


class MueError(ValueError):
    """An MUE file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class MueEdit:
    hcpcs: str
    setting: str  # practitioner, outpatient, dme
    units: int  # the MUE value
    mai: int  # adjudication indicator: 1 line edit, 2 and 3 date-of-service edits
    rationale: str
    source: str  # where the value comes from (file, effective date)

    @property
    def per_date(self) -> bool:
        return self.mai in (2, 3)


@dataclass(slots=True)
class MueTable:
    edits: dict[tuple[str, str], MueEdit] = field(default_factory=dict)  # (setting, code)
    sources: list[str] = field(default_factory=list)

    def get(self, setting: str | None, hcpcs: str) -> MueEdit | None:
        return self.edits.get((setting or "", hcpcs.upper()))

    def replace_setting(self, setting: str, edits: list[MueEdit], source: str) -> None:
        self.edits = {k: v for k, v in self.edits.items() if k[0] != setting}
        self.edits.update({(e.setting, e.hcpcs): e for e in edits})
        self.sources.append(source)


def load_mue(paths: list[str | Path] | tuple = ()) -> MueTable:
    """The bundled MUE values, with each CMS MUE CSV of ``paths`` replacing its setting."""
    text = resources.files("edi_j0256").joinpath("data", BUNDLED_MUE).read_text("utf-8")
    table = MueTable()
    for row in csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")):
        source = f"{row['source']}, effective {row['effective_from']}"
        edit = MueEdit(row["hcpcs"].upper(), row["setting"], int(row["mue"]), int(row["mai"]),
                       row["rationale"], source)
        table.edits[(edit.setting, edit.hcpcs)] = edit
    table.sources.append(f"bundled {BUNDLED_MUE}")
    for path in paths:
        setting, edits = read_cms_mue(path)
        table.replace_setting(setting, edits, str(path))
    return table


def _squash(cell: str) -> str:
    return " ".join(cell.replace("/", " ").split()).upper()


_MAI = re.compile(r"^\s*([123])\b")


def read_cms_mue(path: str | Path) -> tuple[str, list[MueEdit]]:
    """(setting, edits) of one CMS MUE CSV as published."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise MueError(f"{path}: cannot read MUE file: {exc.strerror or exc}") from None
    text = raw.decode("latin-1")  # CMS publishes the tables in ISO-8859-1
    rows = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    try:
        for row in rows:
            if row and _squash(row[0]) == "HCPCS CPT CODE":
                header = [_squash(c) for c in row]
                break
    except csv.Error as exc:
        raise MueError(f"{path}: not a CSV file: {exc}") from None
    if header is None:
        raise MueError(f"{path}: no header row starting 'HCPCS/CPT Code': not a CMS MUE file")
    values = [i for i, c in enumerate(header) if c.endswith("MUE VALUES")]
    mai = [i for i, c in enumerate(header) if "ADJUDICATION INDICATOR" in c]
    rationale = [i for i, c in enumerate(header) if "RATIONALE" in c]
    if not values or not mai:
        raise MueError(f"{path}: header row lacks the 'MUE Values' or 'MUE Adjudication "
                       "Indicator' column")
    setting_name = header[values[0]][: -len("MUE VALUES")].strip()
    setting = SETTINGS.get(setting_name)
    if setting is None:
        raise MueError(f"{path}: unknown MUE setting {setting_name!r} (expected practitioner "
                       "services, outpatient hospital services or DME supplier services)")
    edits: list[MueEdit] = []
    source = f"CMS MUE table {Path(path).name}"
    try:
        for row in rows:
            if len(row) <= max(values[0], mai[0]) or not row[0].strip():
                continue
            value, indicator = row[values[0]].strip(), _MAI.match(row[mai[0]])
            if not value.isdigit() or indicator is None:
                raise MueError(f"{path}: line {rows.line_num}: MUE value {value!r} or adjudication "
                               f"indicator {row[mai[0]].strip()!r} is not readable")
            why = row[rationale[0]].strip() if rationale and len(row) > rationale[0] else ""
            edits.append(MueEdit(row[0].strip().upper(), setting, int(value),
                                 int(indicator.group(1)), why, source))
    except csv.Error as exc:
        raise MueError(f"{path}: CSV error after the header: {exc}") from None
    if not edits:
        raise MueError(f"{path}: no MUE rows under the header")
    return setting, edits
