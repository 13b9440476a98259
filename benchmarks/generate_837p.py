"""Generate large, synthetic, realistic 5010 837P (005010X222A1) files for the benchmarks.

Everything in the output is made up (names, NPIs, member ids, payers). The structure is what
real professional claim files carry:

- one ISA / GS, cut into several ST/SE transactions of a few thousand claims each;
- several billing providers (2000A: PRV, NM1*85 with a check-digit-valid NPI, N3, N4, REF*EI),
  each followed by a run of subscribers;
- subscribers (2000B: SBR, PAT weight, NM1*IL, N3, N4, DMG, NM1*PR) with one claim, or a few;
  some commercial subscribers have a dependent patient (2000C: PAT*19/01, NM1*QC ...) that
  carries the claims instead;
- a handful of payers: two Medicare Part B contractors (SBR09 MB) and commercial plans
  (CI, BL, HM), with REF*G1 prior authorizations on commercial J0256 claims;
- claims (CLM02 = sum of the lines' SV102) with 1-6 service lines: office visits, labs,
  spirometry, other drugs with their NDC, and, on J0256 claims, the drug line (JZ, or the
  administered line plus a JW waste line), 2410 LIN/CTP NDC loops and 96365/96366 administration
  lines; every line has DTP*472 and REF*6R, diagnoses in HI with SV107 pointers.

SE01, GE01 and IEA01 are exact. The file is written as it is generated (a few hundred KB
in memory at a time), and the same ``--seed`` gives the same bytes.

The counts that were written are printed as JSON on stdout (and returned by
:func:`generate`) so a benchmark or a test can check that a reader found exactly as many
claims and J0256 lines as there are (counts in = counts out).

    python benchmarks/generate_837p.py --size-mb 20 --j0256-share 0.02 -o benchmarks/out/x.x12
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from pathlib import Path

from edi_j0256.npi import check_digit

GENERATOR_VERSION = 2  # bump when the output for a given seed changes

# -- reference data (synthetic) -------------------------------------------------------------

LAST_NAMES = ("SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS",
              "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "WILSON", "ANDERSON", "THOMAS",
              "TAYLOR", "MOORE", "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE",
              "HARRIS", "CLARK", "LEWIS", "ROBINSON", "WALKER", "YOUNG", "ALLEN", "KING",
              "WRIGHT", "SCOTT", "TORRES", "NGUYEN", "HILL", "FLORES", "GREEN", "ADAMS",
              "NELSON", "BAKER", "HALL", "RIVERA", "CAMPBELL", "MITCHELL", "CARTER", "ROBERTS")
FIRST_NAMES = ("JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA",
               "DAVID", "ELIZABETH", "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH",
               "JESSICA", "THOMAS", "SARAH", "CHARLES", "KAREN", "DANIEL", "NANCY", "MATTHEW",
               "LISA", "ANTHONY", "BETTY", "MARK", "MARGARET", "DONALD", "SANDRA", "STEVEN")
STREETS = ("MAIN ST", "OAK AVE", "PINE RD", "MAPLE DR", "CEDAR LN", "ELM ST", "PARK AVE",
           "LAKE RD", "HILL ST", "RIVER RD", "CHURCH ST", "HIGH ST", "MILL RD", "SPRING ST")
CITIES = (("SPRINGFIELD", "IL", "62701"), ("RIVERTON", "PA", "19001"),
          ("FAIRVIEW", "OH", "44126"), ("GREENVILLE", "SC", "29601"),
          ("MADISON", "WI", "53703"), ("CLINTON", "NJ", "08809"), ("SALEM", "OR", "97301"),
          ("FRANKLIN", "TN", "37064"), ("GEORGETOWN", "TX", "78626"), ("ARLINGTON", "VA", "22201"))

# name, taxonomy, place of service used by its claims
BILLING_PROVIDERS = (
    ("SYNTH PULMONARY ASSOCIATES", "207RP1001X", "11"),
    ("SYNTH INFUSION CENTER", "261QI0500X", "11"),
    ("SYNTH INTERNAL MEDICINE GROUP", "207R00000X", "11"),
    ("SYNTH FAMILY PRACTICE", "207Q00000X", "11"),
    ("SYNTH HOME INFUSION SERVICES", "3336H0001X", "12"),
    ("SYNTH HOSPITAL OUTPATIENT CLINIC", "207RP1001X", "19"),
    ("SYNTH LUNG AND SLEEP CENTER", "207RP1001X", "11"),
)

# name, payer id, claim filing indicator (SBR09)
PAYERS = (
    ("SYNTH MEDICARE PART B JL", "SMB12", "MB"),
    ("SYNTH MEDICARE PART B JH", "SMB04", "MB"),
    ("SYNTH COMMERCIAL HEALTH PLAN", "SCHP1", "CI"),
    ("SYNTH BLUE PLAN", "SBLU1", "BL"),
    ("SYNTH HMO OF THE VALLEY", "SHMO1", "HM"),
    ("SYNTH NATIONAL INSURANCE", "SNAT1", "CI"),
)
PAYER_WEIGHTS = (28, 12, 22, 18, 10, 10)

# J0256 products: (11-digit NDC, mg per vial)
J0256_PRODUCTS = (("13533070501", 1000), ("13533070551", 4000), ("00944281501", 1000),
                  ("00053720202", 4000), ("57516011002", 4000))
J0256_DX = ("E8801",)
LUNG_DX = ("J439", "J430", "J431", "J449", "J441", "J4489")
OTHER_DX = ("I10", "E119", "E785", "J45909", "R0602", "Z0000", "J189", "M5450", "E039",
            "K219", "N390", "R059", "Z23", "F419", "G4733", "J301", "E6601", "I4891")

# (code, charge in cents, NDC or None, unit basis, units) for lines on claims without J0256
OTHER_LINES = (
    ("99213", 12500, None, "UN", "1"), ("99214", 18500, None, "UN", "1"),
    ("99204", 22000, None, "UN", "1"), ("99212", 7500, None, "UN", "1"),
    ("36415", 1500, None, "UN", "1"), ("80053", 4200, None, "UN", "1"),
    ("85025", 2800, None, "UN", "1"), ("82103", 6500, None, "UN", "1"),
    ("81332", 29000, None, "UN", "1"), ("94010", 9800, None, "UN", "1"),
    ("94060", 14500, None, "UN", "1"), ("94729", 11000, None, "UN", "1"),
    ("71046", 8900, None, "UN", "1"), ("90471", 2500, None, "UN", "1"),
    ("96372", 3900, None, "UN", "1"), ("J1100", 850, "63323016501", "UN", "4"),
    ("J3420", 1275, "00517003125", "UN", "1"), ("J1569", 312000, "00944270002", "UN", "40"),
    ("J0257", 254000, "00944288401", "UN", "400"), ("G0008", 3100, None, "UN", "1"),
)
OTHER_WEIGHTS = (30, 22, 6, 10, 18, 10, 12, 4, 1, 6, 4, 2, 5, 3, 5, 4, 3, 1, 1, 2)
OFFICE_VISITS = ("99211", 4500), ("99213", 12500)

ISA_DATE, ISA_TIME = "260202", "0930"
SERVICE_START = date(2026, 1, 2)
DATES = tuple((SERVICE_START + timedelta(days=d)).strftime("%Y%m%d") for d in range(330))
MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"  # MBI letters (no S, L, O, I, B, Z)
ALNUM = MBI_ALPHA + "0123456789"


def npi_with_check_digit(base9: str) -> str:
    """A 10-digit NPI: 9 digits plus the Luhn check digit computed with the 80840 prefix."""
    return base9 + check_digit(base9)


def _number_cents(cents: int) -> int | float:
    """Cents as the JSON number scan writes (an int when whole)."""
    return cents // 100 if cents % 100 == 0 else cents / 100


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def money(cents: int) -> str:
    """X12 decimal: 125 or 125.5 (no trailing zeros)."""
    if cents % 100 == 0:
        return str(cents // 100)
    return f"{cents / 100:.2f}".rstrip("0")


class _Counts:
    __slots__ = ("claims", "j0256_claims", "j0256_lines", "service_lines", "segments",
                 "transactions", "subscribers", "patients", "billing_provider_loops",
                 "medicare_claims", "jw_lines", "jz_lines", "ndc_loops")

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)


class Generator:
    """Writes one 837P file; see :func:`generate`."""

    def __init__(self, *, seed: int, j0256_share: float, newlines: bool,
                 claims_per_transaction: int, error_share: float = 0.0) -> None:
        if not 0.0 <= j0256_share <= 1.0:
            raise ValueError("j0256_share must be between 0 and 1")
        if not 0.0 <= error_share <= 1.0:
            raise ValueError("error_share must be between 0 and 1")
        self.rng = random.Random(seed)
        # billing errors are drawn apart, so a file without them is the same for a seed
        self.error_share = error_share
        self.error_rng = random.Random(seed * 7919 + 1)
        self.error_claims = 0
        self.total_off = 0  # cents added to the next CLM02
        self.seed = seed
        self.share = j0256_share
        self.adult = True  # the current patient (set per subscriber block)
        self.last_dose: datetime | None = None  # the current patient's last J0256 date
        self.term = "~\n" if newlines else "~"
        self.claims_per_transaction = max(1, claims_per_transaction)
        self.counts = _Counts()
        rng = self.rng
        self.providers = []
        for i, (name, taxonomy, pos) in enumerate(BILLING_PROVIDERS):
            npi = npi_with_check_digit(f"1{rng.randrange(10**8):08d}")
            tin = f"{rng.randrange(10**8, 10**9)}"
            street = f"{100 + 17 * i} {rng.choice(STREETS)}"
            city, state, zip5 = rng.choice(CITIES)
            renderers = [(npi_with_check_digit(f"1{rng.randrange(10**8):08d}"),
                          rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)) for _ in range(4)]
            self.providers.append((name, taxonomy, pos, npi, tin, street, city, state,
                                   zip5 + f"{rng.randrange(10000):04d}", renderers))
        self.claim_serial = 0
        self.st_control = ""
        self.truth = None  # an open text file: one JSON line per J0256 line written

    # -- pieces --------------------------------------------------------------------------

    ERRORS = ("units_as_mg", "zero_charge", "no_ndc", "pointer", "total", "header_dx",
              "fractional_units", "no_administration")

    def billing_error(self, lines: list[tuple], dx: list[str]) -> list[str]:
        """Give the J0256 claim being built one billing error that ``check`` reports (drawn
        with ``error_rng``); returns the claim's diagnoses (changed by ``header_dx``)."""
        self.error_claims += 1
        kind = self.error_rng.choice(self.ERRORS)
        code, mods, cents, basis, units, pointers, ndc, qty, unit = lines[0]
        if kind == "units_as_mg":  # JU002: the mg of the dose billed as units
            lines[0] = (code, mods, cents, basis, str(int(units) * 10), pointers, ndc, qty, unit)
        elif kind == "zero_charge":  # JC004
            lines[0] = (code, mods, 0, basis, units, pointers, ndc, qty, unit)
        elif kind == "no_ndc":  # JN001
            lines[0] = (code, mods, cents, basis, units, pointers, None, None, None)
        elif kind == "pointer":  # JD002: the line points at the lung diagnosis only
            lines[0] = (code, mods, cents, basis, units, "2", ndc, qty, unit)
        elif kind == "total":  # JC006
            self.total_off = 1
        elif kind == "header_dx":  # JD003: J44.8 has subcodes
            dx = [dx[0], "J448", *dx[2:]]
        elif kind == "fractional_units":  # JU001
            lines[0] = (code, mods, cents, basis, units + ".5", pointers, ndc, qty, unit)
        else:  # JC003: the 96365 line dropped
            lines[:] = [line for line in lines if line[0] != "96365"]
        return dx

    def _mbi(self) -> str:
        c = self.rng.choice
        return (c("123456789") + c(MBI_ALPHA) + c(ALNUM) + c("0123456789") + c(MBI_ALPHA)
                + c(ALNUM) + c("0123456789") + c(MBI_ALPHA) + c(MBI_ALPHA) + c("0123456789")
                + c("0123456789"))

    def _person(self) -> tuple[str, str, str, str, str, str, str]:
        rng = self.rng
        city, state, zip5 = rng.choice(CITIES)
        return (rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES),
                f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}", city, state, zip5,
                rng.choice("FM"))

    def header(self, st_control: str) -> list[str]:
        return [f"ST*837*{st_control}*005010X222A1",
                f"BHT*0019*00*SYNB{self.seed % 10000:04d}{st_control}*20260202*0930*CH",
                "NM1*41*2*SYNTH BILLING SERVICE*****46*SYNSUB01",
                "PER*IC*SYNTH CONTACT*TE*5555550100",
                "NM1*40*2*SYNTH CLEARINGHOUSE*****46*SYNRCV01"]

    def billing_provider(self, segs: list[str], hl: int, provider: tuple) -> None:
        name, taxonomy, _pos, npi, tin, street, city, state, zip9, _r = provider
        segs += [f"HL*{hl}**20*1", f"PRV*BI*PXC*{taxonomy}", f"NM1*85*2*{name}*****XX*{npi}",
                 f"N3*{street}", f"N4*{city}*{state}*{zip9}", f"REF*EI*{tin}"]
        self.counts.billing_provider_loops += 1

    def subscriber_block(self, segs: list[str], hl: int, parent: int, provider: tuple,
                         claims_left: int) -> tuple[int, int]:
        """A 2000B loop (and maybe a 2000C) with its claims; returns (next HL, claims)."""
        rng = self.rng
        counts = self.counts
        payer_name, payer_id, filing = rng.choices(PAYERS, PAYER_WEIGHTS)[0]
        medicare = filing == "MB"
        dependent = not medicare and rng.random() < 0.18
        n_claims = min(claims_left, 1 if rng.random() < 0.7 else rng.randint(2, 4))
        last, first, street, city, state, zip5, sex = self._person()
        member = self._mbi() if medicare else f"{payer_id[:3]}{rng.randrange(10**9):09d}"
        group = "" if medicare else f"GRP{rng.randrange(10**5):05d}"
        counts.subscribers += 1
        segs.append(f"HL*{hl}*{parent}*22*{1 if dependent else 0}")
        weight = None
        if dependent:
            segs.append(f"SBR*P**{group}******{filing}")
        else:
            segs.append(f"SBR*P*18*{group}******{filing}")
            weight = rng.randint(95, 200)  # lb; 200 lb at 60 mg/kg stays under a 700-unit cap
            segs.append(f"PAT*******01*{weight}")
        segs += [f"NM1*IL*1*{last}*{first}****MI*{member}", f"N3*{street}",
                 f"N4*{city}*{state}*{zip5}"]
        if not dependent:
            birth = f"{rng.randint(1940, 1990)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            segs.append(f"DMG*D8*{birth}*{sex}")
        segs.append(f"NM1*PR*2*{payer_name}*****PI*{payer_id}")
        sub_hl = hl
        hl += 1
        if dependent:
            counts.patients += 1
            child = rng.random() < 0.6
            weight = rng.randint(40, 140) if child else rng.randint(100, 200)
            plast, pfirst, *_rest, psex = self._person()
            birth = (f"{rng.randint(2006, 2020) if child else rng.randint(1950, 1995)}"
                     f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}")
            segs += [f"HL*{hl}*{sub_hl}*23*0", f"PAT*{'19' if child else '01'}******01*{weight}",
                     f"NM1*QC*1*{last if child else plast}*{pfirst}", f"N3*{street}",
                     f"N4*{city}*{state}*{zip5}", f"DMG*D8*{birth}*{psex}"]
            hl += 1
        ctx = {"member_id": member, "payer_id": payer_id, "payer_name": payer_name,
               "claim_filing_indicator": filing, "billing_npi": provider[3],
               "patient_weight_lb": weight}
        # Augmentation therapy is for adults, once a week: a child gets no J0256, and a
        # patient's J0256 claims are whole weeks apart.
        self.adult = not (dependent and child)
        self.last_dose = None
        for _ in range(n_claims):
            self.claim(segs, provider, medicare, ctx)
        return hl, n_claims

    def claim(self, segs: list[str], provider: tuple, medicare: bool, ctx: dict) -> None:
        rng = self.rng
        counts = self.counts
        self.claim_serial += 1
        claim_id = f"P{self.seed % 100:02d}{self.claim_serial:08d}"
        pos = provider[2]
        dos = rng.choice(DATES)
        renderer = rng.choice(provider[9]) if rng.random() < 0.55 else None
        lines: list[tuple] = []  # (code, modifiers, cents, basis, units, pointers, ndc, qty, unit)
        is_j0256 = rng.random() < self.share and self.adult
        if is_j0256 and self.last_dose is not None:
            dos = (self.last_dose + timedelta(days=7 * rng.randint(1, 3))).strftime("%Y%m%d")
        if is_j0256:
            self.last_dose = datetime.strptime(dos, "%Y%m%d")
        counts.claims += 1
        if medicare:
            counts.medicare_claims += 1
        if is_j0256:
            counts.j0256_claims += 1
            dx = ["E8801", rng.choice(LUNG_DX)]
            if rng.random() < 0.3:
                dx.append(rng.choice(OTHER_DX))
            weight_kg = float(ctx["patient_weight_lb"]) * 0.45359237  # PAT08, pounds
            dose_mg = int(round(weight_kg * 60 / 10.0)) * 10  # 60 mg/kg, whole 10 mg units
            # The clinic picks the package that wastes least (ties broken at random).
            options = sorted(J0256_PRODUCTS, key=lambda p: (-dose_mg % p[1], rng.random()))
            ndc, vial = options[0]
            vials = math.ceil(dose_mg / vial)
            waste_mg = vials * vial - dose_mg
            units = dose_mg // 10
            per_unit = rng.choice((500, 512, 545, 600))  # cents per 10 mg
            if waste_mg:  # the administered line, and the discarded rest on a JW line
                lines.append(("J0256", (), units * per_unit, "UN", str(units), "1:2", ndc,
                              str(dose_mg), "ME"))
                wu = waste_mg // 10
                lines.append(("J0256", ("JW",), wu * per_unit, "UN", str(wu), "1:2", ndc,
                              str(waste_mg), "ME"))
                counts.jw_lines += 1
            else:  # whole vials, nothing discarded: JZ; the NDC quantity in vials or in mg
                mods = ("JZ",)
                in_vials = rng.random() < 0.3
                lines.append(("J0256", mods, units * per_unit, "UN", str(units), "1:2", ndc,
                              str(vials) if in_vials else str(dose_mg),
                              "UN" if in_vials else "ME"))
                counts.jz_lines += 1
            counts.j0256_lines += sum(1 for line in lines if line[0] == "J0256")
            lines.append(("96365", (), 18000, "UN", "1", "1", None, None, None))
            if rng.random() < 0.6:
                hours = rng.randint(1, 2)
                lines.append(("96366", (), 4500 * hours, "UN", str(hours), "1", None, None,
                              None))
            if rng.random() < 0.2 and len(lines) < 6:
                code, cents = rng.choice(OFFICE_VISITS)
                lines.append((code, ("25",), cents, "UN", "1", "1:2", None, None, None))
            if rng.random() < 0.1 and len(lines) < 6:
                lines.append(("82103", (), 6500, "UN", "1", "1", None, None, None))
            if self.error_share and self.error_rng.random() < self.error_share:
                dx = self.billing_error(lines, dx)
        else:
            n_lines = rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6))
            specs = rng.choices(OTHER_LINES, OTHER_WEIGHTS, k=n_lines)
            dx = rng.sample(OTHER_DX, rng.choice((1, 1, 2, 2, 3, 4)))
            if any(spec[0] == "J0257" for spec in specs):  # Glassia: an AATD claim too
                dx = ["E8801", "J439"] + dx[:2]
            for code, cents, ndc, basis, units in specs:
                pointers = ":".join(str(i) for i in range(1, rng.randint(1, min(len(dx), 4)) + 1))
                if code == "J0257":
                    pointers = "1:2"
                mods = ("25",) if code.startswith("992") and lines and rng.random() < 0.3 else ()
                qty = ("400" if code == "J1569" else units) if ndc else None
                lines.append((code, mods, cents * int(units) if ndc else cents, basis, units,
                              pointers, ndc, qty, "ML" if code == "J1569" else "UN"))
        lines = lines[:6]
        total = sum(line[2] for line in lines) + self.total_off  # CLM02 (JC006: off a cent)
        self.total_off = 0
        counts.service_lines += len(lines)
        segs.append(f"CLM*{claim_id}*{money(total)}***{pos}:B:1*Y*A*Y*Y")
        prior_auth = None
        if not medicare and is_j0256:
            prior_auth = f"PA{rng.randrange(10**8):08d}"
            segs.append(f"REF*G1*{prior_auth}")
        segs.append("HI*" + "*".join(("ABK:" if i == 0 else "ABF:") + code
                                     for i, code in enumerate(dx)))
        if renderer is not None:
            npi, rlast, rfirst = renderer
            segs += [f"NM1*82*1*{rlast}*{rfirst}****XX*{npi}", f"PRV*PE*PXC*{provider[1]}"]
        for n, (code, mods, cents, basis, units, pointers, ndc, qty, unit) in enumerate(
                lines, 1):
            procedure = "HC:" + code + "".join(":" + m for m in mods)
            segs += [f"LX*{n}", f"SV1*{procedure}*{money(cents)}*{basis}*{units}***{pointers}",
                     f"DTP*472*D8*{dos}", f"REF*6R*{claim_id}-{n:02d}"]
            if ndc:
                segs += [f"LIN**N4*{ndc}", f"CTP****{qty}*{unit}"]
                counts.ndc_loops += 1
            if code == "J0256" and self.truth is not None:
                self.truth.write(json.dumps({
                    "transaction_control": self.st_control, "claim_id": claim_id,
                    "claim_charge": _number_cents(total), "place_of_service": pos,
                    **ctx, "rendering_npi": renderer[0] if renderer else None,
                    "line_number": n, "line_control": f"{claim_id}-{n:02d}",
                    "procedure_code": code, "modifiers": list(mods),
                    "charge": _number_cents(cents), "units": int(units),
                    "service_date": f"{dos[:4]}-{dos[4:6]}-{dos[6:]}",
                    "diagnosis_codes": [_dotted(dx[int(p) - 1]) for p in pointers.split(":")],
                    "claim_diagnosis_codes": [_dotted(d) for d in dx],
                    "prior_auth": prior_auth, "ndc": ndc, "ndc_quantity": int(qty),
                    "ndc_unit": unit}) + "\n")


def generate(path: str | Path, *, size_mb: float, j0256_share: float = 0.02,
             newlines: bool = True, seed: int = 1, claims_per_transaction: int = 3000,
             truth: str | Path | None = None, error_share: float = 0.0) -> dict:
    """Write one 837P file of about ``size_mb`` MB (10**6 bytes); return what was written.

    ``error_share``: the fraction of J0256 claims given one billing error that ``check``
    reports (units billed as mg, a zero charge, no NDC, a pointer missing E88.01, CLM02 off by
    a cent, J44.8, fractional units, no 96365); 0 writes the same file as before.

    With ``truth``, also write one JSON line per J0256 service line with the values a reader
    must find for it (claim, line, hierarchy context, NDC), to check scan field by field.
    """
    started = time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = int(size_mb * 1_000_000)
    gen = Generator(seed=seed, j0256_share=j0256_share, newlines=newlines,
                    claims_per_transaction=claims_per_transaction, error_share=error_share)
    rng, counts, term = gen.rng, gen.counts, gen.term
    control = f"{seed % 10**9:09d}"
    group_control = str(seed % 10**6 + 1)
    sender, receiver = "SYNTHSUBMITTER", "SYNTHRECEIVER"
    written = 0
    with ExitStack() as files:
        out = files.enter_context(open(path, "w", encoding="ascii", newline=""))
        if truth:
            gen.truth = files.enter_context(open(truth, "w", encoding="utf-8"))
        def write(segs: list[str]) -> None:
            nonlocal written
            text = term.join(segs) + term
            out.write(text)
            written += len(text)

        write([f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*{ISA_DATE}*"
               f"{ISA_TIME}*^*00501*{control}*0*P*:",
               f"GS*HC*{sender}*{receiver}*20260202*0930*{group_control}*X*005010X222A1"])
        provider = None
        while written < target or counts.transactions == 0:
            counts.transactions += 1
            st_control = gen.st_control = f"{counts.transactions:04d}"
            segs = gen.header(st_control)
            st_segments = 0
            hl = 1
            st_claims = 0
            parent = 0
            provider_left = 0
            while st_claims < gen.claims_per_transaction:
                if provider_left <= 0:
                    provider = rng.choice(gen.providers)
                    provider_left = rng.randint(20, 400)
                    gen.billing_provider(segs, hl, provider)
                    parent = hl
                    hl += 1
                hl, n = gen.subscriber_block(segs, hl, parent, provider,
                                             gen.claims_per_transaction - st_claims)
                st_claims += n
                provider_left -= 1
                if len(segs) >= 1000:  # flush: a few tens of KB in memory at a time
                    st_segments += len(segs)
                    write(segs)
                    segs = []
                    if written >= target:
                        break
            st_segments += len(segs) + 1
            segs.append(f"SE*{st_segments}*{st_control}")
            write(segs)
            counts.segments += st_segments
        write([f"GE*{counts.transactions}*{group_control}", f"IEA*1*{control}"])
    counts.segments += 4
    result = {name: getattr(counts, name) for name in counts.__slots__}
    result.update(path=str(path), truth=str(truth) if truth else None, bytes=written,
                  size_mb=round(written / 1e6, 3), seed=seed, j0256_share=j0256_share,
                  newlines=newlines,
                  j0256_share_actual=round(counts.j0256_claims / max(1, counts.claims), 5),
                  generator_version=GENERATOR_VERSION,
                  seconds=round(time.perf_counter() - started, 3))
    if error_share:
        result.update(error_share=error_share, error_claims=gen.error_claims)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=20.0,
                        help="approximate size in MB (10**6 bytes); default 20")
    parser.add_argument("--j0256-share", type=float, default=0.02,
                        help="fraction of claims that carry J0256 lines, 0..1 (children "
                             "get none); default 0.02")
    parser.add_argument("--newlines", action=argparse.BooleanOptionalAction, default=True,
                        help="one segment per line (default) or the whole file on one line")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--claims-per-transaction", type=int, default=3000,
                        help="claims per ST/SE transaction (default 3000)")
    parser.add_argument("-o", "--output", required=True, help="file to write")
    parser.add_argument("--error-share", type=float, default=0.0,
                        help="fraction of J0256 claims given one billing error that check "
                             "reports, 0..1; default 0")
    parser.add_argument("--truth", metavar="PATH",
                        help="also write the expected scan values of every J0256 line (JSONL)")
    args = parser.parse_args(argv)
    if not 0.0 <= args.j0256_share <= 1.0:
        parser.error("--j0256-share must be between 0 and 1")
    if args.size_mb <= 0:
        parser.error("--size-mb must be positive")
    if not 0.0 <= args.error_share <= 1.0:
        parser.error("--error-share must be between 0 and 1")
    result = generate(args.output, size_mb=args.size_mb, j0256_share=args.j0256_share,
                      newlines=args.newlines, seed=args.seed,
                      claims_per_transaction=args.claims_per_transaction, truth=args.truth,
                      error_share=args.error_share)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
