"""Claim extraction, field by field.

The expected values of the fixtures come from the tables in ``fixtures/README.md`` (the
catalogue the fixture author keeps next to the files), parsed here; a few small 837s written
inline cover what the fixtures do not carry (RD8 service dates, four modifiers, REF*G1 on
both levels, a subscriber-level PAT, 4010).
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from edi_j0256.claims import ClaimReader, read_claims
from edi_j0256.claims.model import Claim
from edi_j0256.diagnostics import Diagnostics, Severity

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
README = FIXTURES / "README.md"

# -- the catalogue in fixtures/README.md ---------------------------------------------------------


def _tables() -> dict[str, dict[str, list[dict[str, str]]]]:
    """{fixture file: {"Claims" | "J0256 lines" | "Other lines": [row as {header: cell}]}}."""
    out: dict[str, dict[str, list[dict[str, str]]]] = {}
    if not README.is_file():
        return out
    fixture = section = None
    header: list[str] | None = None
    for raw in README.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        heading = re.match(r"^## (\S+\.x12)\s*$", line)
        if heading:
            fixture, section, header = heading.group(1), None, None
            continue
        sub = re.match(r"^### (.+)$", line)
        if sub and fixture:
            section, header = sub.group(1).strip(), None
            continue
        if line.startswith("## "):
            fixture = section = header = None
            continue
        if not (fixture and section and line.startswith("|")):
            header = None if not line.startswith("|") else header
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
        elif not set("".join(cells)) <= set("-: "):
            out.setdefault(fixture, {}).setdefault(section, []).append(dict(zip(header, cells,
                                                                                strict=True)))
    return out


TABLES = _tables()
FIXTURE_NAMES = sorted(name for name in TABLES if name.startswith("837"))


def _none(cell: str) -> str | None:
    return None if cell.startswith("-") else cell


def _first(cell: str) -> str | None:
    return None if cell.startswith("-") else cell.split()[0]


def _decimal(cell: str) -> Decimal | None:
    value = _first(cell)
    return None if value is None else Decimal(value)


def _date(cell: str) -> date | None:
    return None if cell.startswith("-") else date.fromisoformat(cell)


def _payer(cell: str) -> tuple[str, str]:
    name, payer_id = re.fullmatch(r"(.+) \((\w+)\)", cell).groups()
    return name, payer_id


def _backtick(cell: str) -> list[str]:
    return re.search(r"`([^`]*)`", cell).group(1).split(":")


def _column(row: dict[str, str], prefix: str) -> str:
    for key, value in row.items():
        if key.startswith(prefix):
            return value
    raise KeyError(prefix)


def _claims(fixture: str, **kwargs) -> dict[str, Claim]:
    claims = list(read_claims(FIXTURES / fixture, **kwargs))
    by_id = {c.claim_id: c for c in claims}
    assert len(by_id) == len(claims), "claim ids repeat"
    return by_id


CLAIM_ROWS = [(f, row) for f in FIXTURE_NAMES for row in TABLES[f].get("Claims", [])]
LINE_ROWS = [(f, row, True) for f in FIXTURE_NAMES for row in TABLES[f].get("J0256 lines", [])]
LINE_ROWS += [(f, row, False) for f in FIXTURE_NAMES for row in TABLES[f].get("Other lines", [])]


def test_the_catalogue_is_there_and_parsed():
    assert README.is_file(), "fixtures/README.md is missing"
    for name in ("837p-medicare.x12", "837p-commercial.x12", "837i-outpatient.x12"):
        assert name in TABLES, name
        assert TABLES[name]["Claims"] and TABLES[name]["J0256 lines"], name
        assert (FIXTURES / name).is_file(), name


def test_every_catalogued_claim_and_no_other_is_read():
    for fixture in FIXTURE_NAMES:
        expected = [row["CLM01"] for row in TABLES[fixture]["Claims"]]
        assert [c.claim_id for c in read_claims(FIXTURES / fixture)] == expected, fixture


@pytest.mark.parametrize(("fixture", "row"), CLAIM_ROWS,
                         ids=[f"{f}:{r['CLM01']}" for f, r in CLAIM_ROWS])
def test_claim_fields(fixture, row):
    claim = _claims(fixture)[row["CLM01"]]
    institutional = fixture.startswith("837i")
    assert claim.envelope.file == str(FIXTURES / fixture)
    assert claim.envelope.transaction_control == row["ST02"]
    assert claim.transaction_type == ("837I" if institutional else "837P")
    assert claim.billing_npi == row["billing NPI"]
    assert (claim.payer_name, claim.payer_id) == _payer(_column(row, "payer"))
    assert claim.claim_filing_indicator == row["SBR09"]
    assert claim.member_id == _column(row, "member id")
    weight = row["weight"]
    assert claim.patient_weight_lb == (None if weight == "-" else Decimal(weight.split()[0]))
    assert claim.claim_charge == _decimal(row["CLM02"])
    assert claim.prior_auth == _none(row["claim prior auth"])
    assert [(d.qualifier, d.code) for d in claim.diagnoses] == [
        tuple(code.split(":")) for code in row["HI codes"].split(", ")]
    if institutional:
        facility, _, frequency = _backtick(_column(row, "type of bill"))
        assert (claim.facility_type, claim.frequency_code) == (facility, frequency)
        assert claim.place_of_service is None
        start, end = row["statement dates (DTP*434)"].split(" to ")
        assert (claim.statement_from, claim.statement_to) == (_date(start), _date(end))
        assert claim.rendering_npi is None  # only a 2310A attending provider is sent
    else:
        place, _, frequency = _backtick(_column(row, "POS"))
        assert claim.place_of_service == place == _first(_column(row, "POS"))
        assert claim.frequency_code == frequency
        assert claim.facility_type is None
        assert claim.rendering_npi == _first(row["rendering NPI (2310B)"])


def _line(claim: Claim, lx: int):
    lines = [line for line in claim.lines if line.line_number == lx]
    assert len(lines) == 1, (claim.claim_id, lx)
    return lines[0]


@pytest.mark.parametrize(("fixture", "row", "drug"), LINE_ROWS,
                         ids=[f"{f}:{r['CLM01']}:{r['LX']}" for f, r, _ in LINE_ROWS])
def test_service_line_fields(fixture, row, drug):
    claim = _claims(fixture)[row["CLM01"]]
    line = _line(claim, int(row["LX"]))
    procedure = _backtick(_column(row, "SV101" if drug else "procedure"))
    assert line.procedure_qualifier == procedure[0]
    assert line.procedure_code == procedure[1]
    assert line.modifiers == tuple(procedure[2:])
    units, basis = row["units"].split()
    assert (line.units, line.unit_basis) == (Decimal(units), basis)
    assert line.charge == Decimal(row["charge"])
    assert line.service_date == _date(_column(row, "date"))
    assert line.service_date_end is None
    assert line.line_control == row["REF*6R"]
    rendering = row["rendering NPI"]
    if rendering.endswith("(2420A)"):
        assert line.rendering_npi == _first(rendering)
    else:  # from the claim (2310B) or none at all: the line has no 2420A of its own
        assert line.rendering_npi is None
        assert claim.rendering_npi == _first(rendering)
    if "rev" in "".join(row):
        assert line.revenue_code == _column(row, "rev")
        assert line.place_of_service is None
    else:
        assert line.revenue_code is None
    assert line.segment > claim.segment and line.line > claim.line
    assert line.lx_segment == line.segment - 1  # SV1 / SV2 right after its LX here
    if drug:
        _check_drug_line(claim, line, row)
    else:
        pointers = row.get("dx pointers")
        if pointers is not None:
            assert line.diagnosis_pointers == tuple(int(p) for p in pointers.split(":"))
        assert line.ndc is None and line.ndc_raw is None


def _check_drug_line(claim, line, row):
    modifiers = row["modifiers"]
    expected = () if modifiers == "(none)" else tuple(m.strip() for m in modifiers.split(","))
    assert line.modifiers == expected
    assert line.ndc_raw == _first(row["NDC as written (LIN03)"])
    assert line.ndc == _first(row["NDC 11-digit"])
    assert line.ndc_qualifier == (None if line.ndc_raw is None else "N4")
    assert line.ndc_quantity == _decimal(row["CTP04 qty"])
    assert line.ndc_unit == _none(row["CTP05 unit"])
    dx = row["dx"]
    codes = re.findall(r"\(([A-Z0-9.]+)\)", dx)
    assert claim.pointed_diagnoses(line) == codes
    if dx.startswith("all"):
        assert line.diagnosis_pointers == ()
    else:
        assert line.diagnosis_pointers == tuple(int(p) for p in dx.split(" ->")[0].split(":"))
    auth = row["prior auth"]
    if auth.startswith("line G1"):
        assert line.prior_auth == auth.split()[-1]
    else:
        assert line.prior_auth is None
        if auth.startswith("claim G1"):
            assert claim.prior_auth == auth.split()[-1]


# -- the hierarchy, on the fixtures, spelt out -----------------------------------------------------


def test_each_claim_gets_its_own_billing_provider_and_subscriber():
    claims = list(read_claims(FIXTURES / "837p-medicare.x12"))
    assert [(c.claim_id, c.billing_npi, c.member_id, c.patient_weight_lb) for c in claims] == [
        ("MCR-A-1001", "1999000015", "9TA0TA0TA01", Decimal(165)),
        ("MCR-A-1002", "1999000015", "9TA0TA0TA02", Decimal(147)),
        ("MCR-A-1003", "1999000015", "9TA0TA0TA02", Decimal(147)),
        ("MCR-B-2001", "1999000023", "9TA0TA0TA03", None),
        ("MCR-B-2002", "1999000023", "9TA0TA0TA04", Decimal(110)),
    ]


def test_two_transactions_two_billing_providers_two_payers():
    claims = list(read_claims(FIXTURES / "837p-commercial.x12"))
    assert [(c.envelope.transaction_control, c.claim_id, c.billing_npi, c.payer_id,
             c.claim_filing_indicator, c.rendering_npi, c.prior_auth) for c in claims] == [
        ("0001", "COM-D-3001", "1999000049", "TSTCI01", "CI", "1999100039", "PA2026000222"),
        ("0001", "COM-D-3002", "1999000049", "TSTBL01", "BL", "1999100039", "BLAUTH77002"),
        ("0002", "COM-C-4001", "1999000031", "TSTCI01", "CI", None, "PA2026000111"),
        ("0002", "COM-C-4002", "1999000031", "TSTBL01", "BL", None, None),
    ]
    assert {c.envelope.interchange_control for c in claims} == {"000000201"}
    assert {c.envelope.group_control for c in claims} == {"201"}
    assert {c.envelope.implementation for c in claims} == {"005010X222A1"}


def test_patient_who_is_not_the_subscriber():
    claim = _claims("837p-commercial.x12")["COM-C-4002"]
    assert claim.member_id == "TBL123456789"  # the subscriber's 2010BA NM109
    assert claim.patient_weight_lb == Decimal(184)  # the patient's own 2000C PAT08
    assert claim.payer_id == "TSTBL01"
    line = _line(claim, 1)
    assert line.prior_auth == "BLAUTH77001" and claim.prior_auth is None


def test_ndc_in_hyphenated_form_is_normalised_and_kept_raw():
    claim = _claims("837p-billing-errors.x12")["ERR-6011"]
    line = _line(claim, 1)
    assert (line.ndc_raw, line.ndc) == ("13533-705-51", "13533070551")


def test_837i_claim_context():
    claims = _claims("837i-outpatient.x12")
    claim = claims["OP-E-5001"]
    assert claim.envelope.implementation == "005010X223A2"
    assert [line.revenue_code for line in claim.lines] == ["0636", "0260"] * 4
    assert [line.service_date for line in claim.lines if line.revenue_code == "0636"] == [
        date(2026, 1, 6), date(2026, 1, 13), date(2026, 1, 20), date(2026, 1, 27)]
    assert claims["OP-E-5003"].prior_auth == "PA2026000333"


# -- what the fixtures do not carry, on small 837s written here ---------------------------------


def _isa(version: str = "00501", repetition: str = "^") -> str:
    return ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*"
            f"{repetition}*{version}*000000001*0*T*:~\n")


def _interchange(body: list[str], implementation: str = "005010X222A1",
                 version: str = "00501") -> bytes:
    st = ["ST*837*0001" + ("" if version < "00501" else f"*{implementation}")]
    transaction = st + body
    lines = [f"GS*HC*S*R*20260101*1200*1*X*{implementation}", *transaction,
             f"SE*{len(transaction) + 1}*0001", "GE*1*1", "IEA*1*000000001"]
    isa = _isa(version, "U" if version < "00501" else "^")
    return (isa + "".join(seg + "~\n" for seg in lines)).encode()


HEAD = ["BHT*0019*00*B1*20260101*1200*CH", "NM1*41*2*SUBMITTER*****46*S1",
        "NM1*40*2*RECEIVER*****46*R1", "HL*1**20*1", "NM1*85*2*CLINIC*****XX*1999000015"]

INLINE = HEAD + [
    "HL*2*1*22*0", "SBR*P*18*******CI", "PAT*******01*200.5",
    "NM1*IL*1*DOE*JANE****MI*M001", "NM1*PR*2*PAYER ONE*****PI*P001",
    "CLM*C1*650***11:B:7*Y*A*Y*Y", "REF*G1*CLAIMAUTH", "HI*ABK:E8801*ABF:J439*ABF:J449*ABF:R69",
    "NM1*82*1*DOC*ONE****XX*1999100013",
    "LX*1", "SV1*HC:J0256:JW:KX:59:GA*300*UN*30*12**3:1", "DTP*472*RD8*20260105-20260109",
    "REF*6R*L1", "REF*G1*LINEAUTH", "LIN**N4*0944-2815-01", "CTP****3*UN",
    "NM1*82*1*DOC*TWO****XX*1999100021",
    "LX*2", "SV1*HC:J0256*200*UN*20***1:2:3:4", "DTP*472*D8*20260106", "REF*6R*L2",
    "LIN**N4*13533-0705-1", "CTP****2000*ME",
    "LX*3", "SV1*HC:96365*150*UN*1***9:1", "DTP*472*D8*20260106",
]


def _read(data: bytes, **kwargs):
    diagnostics = Diagnostics()
    reader = ClaimReader(io.BytesIO(data), name="inline.x12", diagnostics=diagnostics, **kwargs)
    claims = list(reader.claims())
    return claims, reader, diagnostics


def test_inline_claim_level_fields():
    claims, reader, diagnostics = _read(_interchange(INLINE))
    assert [d for d in diagnostics if d.severity != Severity.INFO] == []
    (claim,) = claims
    assert claim.claim_id == "C1" and claim.claim_charge == Decimal(650)
    assert (claim.place_of_service, claim.frequency_code) == ("11", "7")
    assert claim.patient_weight_lb == Decimal("200.5")  # PAT in the 2000B subscriber loop
    assert claim.prior_auth == "CLAIMAUTH"
    assert claim.rendering_npi == "1999100013"
    assert [d.dotted for d in claim.diagnoses] == ["E88.01", "J43.9", "J44.9", "R69"]


def test_inline_four_modifiers_rd8_range_line_auth_and_rendering():
    (claim,), _, _ = _read(_interchange(INLINE))
    first, second, third = claim.lines
    assert first.procedure_code == "J0256"
    assert first.modifiers == ("JW", "KX", "59", "GA")
    assert first.place_of_service == "12"
    assert (first.service_date, first.service_date_end) == (date(2026, 1, 5), date(2026, 1, 9))
    assert (second.service_date, second.service_date_end) == (date(2026, 1, 6), None)
    assert first.prior_auth == "LINEAUTH" and second.prior_auth is None
    assert first.line_control == "L1" and second.line_control == "L2"
    assert first.rendering_npi == "1999100021" and second.rendering_npi is None
    assert (first.ndc_raw, first.ndc, first.ndc_quantity, first.ndc_unit) == (
        "0944-2815-01", "00944281501", Decimal(3), "UN")
    assert (second.ndc_raw, second.ndc, second.ndc_quantity, second.ndc_unit) == (
        "13533-0705-1", "13533070501", Decimal(2000), "ME")
    assert third.ndc is None and third.ndc_quantity is None


def test_inline_diagnosis_pointers_resolved():
    (claim,), _, _ = _read(_interchange(INLINE))
    first, second, third = claim.lines
    assert first.diagnosis_pointers == (3, 1)
    assert claim.pointed_diagnoses(first) == ["J44.9", "E88.01"]  # in pointer order
    assert claim.pointed_diagnoses(second) == ["E88.01", "J43.9", "J44.9", "R69"]
    # a pointer past the last diagnosis points at nothing
    assert claim.pointed_diagnoses(third) == ["E88.01"]


def test_4010_837p_is_read():
    body = [seg for seg in INLINE]
    body[body.index("HI*ABK:E8801*ABF:J439*ABF:J449*ABF:R69")] = "HI*BK:27741*BF:4928"
    body.insert(1, "REF*87*004010X098A1")
    data = _interchange(body, implementation="004010X098A1", version="00401")
    claims, reader, diagnostics = _read(data)
    assert [d.code for d in diagnostics if d.severity == Severity.ERROR] == []
    (claim,) = claims
    assert claim.transaction_type == "837P"
    assert claim.envelope.implementation == "004010X098A1"
    assert [d.dotted for d in claim.diagnoses] == ["277.41", "492.8"]
    assert [line.procedure_code for line in claim.lines] == ["J0256", "J0256", "96365"]
    # pointers 3:1 on two diagnoses: only the first one exists
    assert claim.pointed_diagnoses(claim.lines[0]) == ["277.41"]
    assert claim.pointed_diagnoses(claim.lines[1]) == ["277.41", "492.8"]
    assert claim.lines[1].ndc == "13533070501"
    assert reader.reader.tokenizer.delimiters.repetition is None


# -- the hcpcs filter and the counts ------------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_hcpcs_filter_gives_the_same_j0256_claims(fixture):
    everything = list(read_claims(FIXTURES / fixture))
    holding = [c for c in everything if any(ln.procedure_code == "J0256" for ln in c.lines)]
    filtered = list(read_claims(FIXTURES / fixture, hcpcs="J0256"))
    assert filtered == holding  # full Claim objects: context, lines, positions
    assert filtered


def test_hcpcs_filter_on_inline_and_other_codes():
    data = _interchange(INLINE)
    (claim,), _, _ = _read(data)
    assert _read(data, hcpcs=["J0256"])[0] == [claim]
    assert _read(data, hcpcs=["96365"])[0] == [claim]
    assert _read(data, hcpcs=["J0257"])[0] == []


@pytest.mark.parametrize("hcpcs", [None, "J0256", ("96365", "S9346"), "J9999"])
@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_read_stats_are_consistent(fixture, hcpcs):
    reader = ClaimReader(FIXTURES / fixture, hcpcs=hcpcs)
    claims = list(reader.claims())
    stats = reader.stats
    everything = list(read_claims(FIXTURES / fixture))
    assert stats.files == 1
    assert stats.interchanges == 1
    assert stats.transactions == (2 if fixture == "837p-commercial.x12" else 1)
    assert stats.claims == len(everything) == len(TABLES[fixture]["Claims"])
    assert stats.claims == stats.claims_read + stats.claims_skipped + stats.claims_unreadable
    assert stats.claims_read == len(claims)
    assert stats.claims_unreadable == 0
    assert stats.service_lines == sum(len(c.lines) for c in everything)
    codes = {hcpcs} if isinstance(hcpcs, str) else set(hcpcs or ())
    assert stats.matched_lines == sum(1 for c in everything for ln in c.lines
                                      if ln.procedure_code in codes)


def test_a_claim_that_cannot_be_read_is_reported_and_the_run_goes_on(monkeypatch):
    """One claim blows up while being built: it is counted and reported with its position,
    and the claims after it are still read."""
    original = ClaimReader._claim_segment

    def explode(self, claim, *args):
        if claim.claim_id == "MCR-A-1002":
            raise ValueError("simulated defect")
        return original(self, claim, *args)

    monkeypatch.setattr(ClaimReader, "_claim_segment", explode)
    diagnostics = Diagnostics()
    reader = ClaimReader(FIXTURES / "837p-medicare.x12", diagnostics=diagnostics)
    ids = [c.claim_id for c in reader.claims()]
    assert ids == ["MCR-A-1001", "MCR-A-1003", "MCR-B-2001", "MCR-B-2002"]
    assert reader.stats.claims == 5
    assert reader.stats.claims_unreadable == 1
    assert reader.stats.claims == (reader.stats.claims_read + reader.stats.claims_skipped
                                   + reader.stats.claims_unreadable)
    (error,) = [d for d in diagnostics if d.severity == Severity.ERROR]
    clm = next(i for i, text in enumerate(
        (FIXTURES / "837p-medicare.x12").read_text().splitlines(), 1)
        if text.startswith("CLM*MCR-A-1002*"))
    assert error.code == "X302"
    assert (error.segment, error.line) == (clm, clm)  # one segment per line in the fixture
    assert error.file == str(FIXTURES / "837p-medicare.x12")
    assert "MCR-A-1002" not in error.message  # positions, not claim data


def test_claim_without_its_hierarchy_still_read():
    """A CLM with no HL above it (a broken file) is read with what is known."""
    body = HEAD[:1] + ["CLM*LONE*100***11:B:1*Y*A*Y*Y", "LX*1", "SV1*HC:J0256*100*UN*10"]
    claims, _, _ = _read(_interchange(body))
    assert [(c.claim_id, c.billing_npi, c.member_id) for c in claims] == [("LONE", None, None)]
    assert claims[0].lines[0].units == Decimal(10)


def test_other_hi_codes_do_not_shift_the_pointers():
    body = list(INLINE)
    body.insert(body.index("NM1*82*1*DOC*ONE****XX*1999100013"), "HI*BG:01*BG:P1")
    (claim,), _, _ = _read(_interchange(body))
    first, second, _ = claim.lines
    assert claim.pointed_diagnoses(first) == ["J44.9", "E88.01"]
    assert claim.pointed_diagnoses(second) == ["E88.01", "J43.9", "J44.9", "R69"]


INSTITUTIONAL = HEAD + [
    "HL*2*1*22*0", "SBR*P*18*******MA", "NM1*IL*1*DOE*JANE****MI*M002",
    "NM1*PR*2*PAYER A*****PI*PA01", "CLM*I1*900***13:A:1**A*Y*Y", "DTP*434*RD8*20260105-20260105",
    "CL1*1**01", "HI*ABK:E8801", "HI*ABF:J439", "HI*BG:C5", "HI*BH:11:D8:20260101",
    "HI*BE:A1:::125", "HI*BBQ:3E03329", "LX*1", "SV2*0636*HC:J0256:JZ*800*UN*400",
    "DTP*472*D8*20260105", "LX*2", "SV2*0260*HC:96365*100*UN*1",
]


def test_837i_inline_lines_take_every_diagnosis():
    data = _interchange(INSTITUTIONAL, implementation="005010X223A2")
    (claim,), _, diagnostics = _read(data)
    assert claim.transaction_type == "837I"
    assert (claim.facility_type, claim.frequency_code, claim.place_of_service) == ("13", "1", None)
    drug = claim.lines[0]
    assert (drug.revenue_code, drug.procedure_code, drug.modifiers) == ("0636", "J0256", ("JZ",))
    assert (drug.charge, drug.unit_basis, drug.units) == (Decimal(800), "UN", Decimal(400))
    assert claim.pointed_diagnoses(drug) == ["E88.01", "J43.9"]  # no condition/value codes
    assert claim.statement_from == claim.statement_to == date(2026, 1, 5)


def test_claim_diagnosis_codes_hold_only_diagnoses():
    from edi_j0256.scan import line_record

    data = _interchange(INSTITUTIONAL, implementation="005010X223A2")
    (claim,), _, _ = _read(data)
    record = line_record(claim, claim.lines[0])
    assert record["diagnosis_codes"] == ["E88.01", "J43.9"]
    assert record["claim_diagnosis_codes"] == ["E88.01", "J43.9"]


def test_an_odd_character_in_lx01_loses_one_value_not_the_claim():
    text = (FIXTURES / "837p-medicare.x12").read_text(encoding="utf-8")
    broken = text.replace("LX*1~\nSV1*HC:J0256*2250", "LX*²~\nSV1*HC:J0256*2250", 1)
    assert broken != text
    claims, reader, diagnostics = _read(broken.encode("utf-8"))
    assert [c.claim_id for c in claims][0] == "MCR-A-1001"
    assert reader.stats.claims_unreadable == 0


def test_837i_line_without_dtp472_takes_the_statement_date():
    from edi_j0256.scan import line_record

    body = [seg for seg in INSTITUTIONAL if not seg.startswith("DTP*472")]
    (claim,), _, _ = _read(_interchange(body, implementation="005010X223A2"))
    assert claim.lines[0].service_date is None
    record = line_record(claim, claim.lines[0])
    assert (record["service_date"], record["service_date_end"]) == (date(2026, 1, 5), None)
    assert record["claim_diagnosis_codes"] == ["E88.01", "J43.9"]
    assert record["diagnosis_codes"] == ["E88.01", "J43.9"]
    assert record["place_of_service"] is None and record["facility_type"] == "13"
