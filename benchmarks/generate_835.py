"""Generate large synthetic 5010 835 (005010X221A1) files that answer the 837P benchmark files.

The 835 is written from an 837P made by ``generate_837p.py`` (made first, beside it, unless
one is given), so the pair reconciles: every CLP01 is a CLM01, every SVC echoes its line's
REF*6R, procedure, modifiers, charge, units and DTM*472, and the payee (N1*PE XX) is the
claim's billing provider NPI. Claims are grouped into one transaction per payer and payee (as
payers send them), at most ``--claims-per-transaction`` claims each. Everything is made up.

Outcomes, drawn with the seed (see ``OUTCOMES``): most lines are paid (CO-45 contractual,
PR-2 coinsurance, CO-253 sequestration on Medicare); a share of J0256 lines is denied with the
denials the product explains (CO-16 + N657 wrong NDC, CO-151 + N362 units above the limit,
CO-197 no authorization, CO-50 + N115 not necessary), some claims are denied at claim level
with no SVC (CO-16 + MA130, PR-27 ended coverage), and some payments carry a PLB (L6 interest,
WO recovery). Amounts balance: SVC02 - CAS = SVC03, CLP03 - CAS = CLP04,
BPR02 = CLP04 - PLB; SE01, GE01, IEA01 are exact.

The counts written are printed as JSON (and returned by :func:`generate`) so a benchmark can
check that the reader found every claim, line, J0256 record and PLB (counts in = counts out).

    python benchmarks/generate_835.py --size-mb 100 --j0256-share 0.02 -o benchmarks/out/x.835
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

if str(HERE) not in sys.path:  # loaded from a test: common.py sits beside it
    sys.path.insert(0, str(HERE))
from common import load_generator  # noqa: E402

GENERATOR_VERSION = 1  # bump when the output for a given seed and 837 changes
RATIO_835_TO_837 = 0.88  # bytes of 835 per byte of generated 837P (measured on 2-20 MB files)

# (name, share of J0256 lines): what happens to a J0256 line; the rest are paid.
OUTCOMES = (("paid", 0.70), ("ndc", 0.08), ("units", 0.07), ("authorization", 0.05),
            ("necessity", 0.04), ("claim_denied", 0.06))
OTHER_DENIED_LINE = 0.05  # other lines: CO-97 bundled, or CO-50
OTHER_CLAIM_DENIED = 0.01  # other claims: denied at claim level, no SVC
PLB_SHARE = 0.3  # transactions with a PLB




def money(cents: int) -> str:
    """Cents as an X12 R value: no exponent, no trailing zeros (1411.2, 80, -2.5)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}" if not rest else f"{sign}{whole}.{rest:02d}".rstrip("0")


def cents(text: str) -> int:
    whole, _, fraction = text.partition(".")
    return int(whole or 0) * 100 + int((fraction + "00")[:2]) * (-1 if text.startswith("-")
                                                                   else 1)


@dataclass(slots=True)
class Line:
    procedure: str  # SV101 as written: HC:J0256:JW
    charge: int  # cents
    units: int
    date: str = ""
    control: str = ""


@dataclass(slots=True)
class Claim:
    claim_id: str
    charge: int
    frequency: str
    payer: tuple[str, str, str]  # name, id, filing indicator (SBR09)
    payee: tuple[str, str]  # billing provider name, NPI
    patient: tuple[str, str, str]  # last, first, member id
    insured: tuple[str, str, str] | None  # the subscriber, when the patient is a dependent
    lines: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class Counts:
    claims: int = 0
    service_lines: int = 0  # SVC segments written
    j0256_claims: int = 0
    j0256_lines: int = 0  # J0256 SVC segments written
    denied_j0256_lines: int = 0
    claim_level_denials: int = 0  # CLP with no SVC
    j0256_claim_level_denials: int = 0
    transactions: int = 0
    provider_adjustments: int = 0
    segments: int = 0

    @property
    def records(self) -> int:
        """What ``remit --hcpcs J0256`` must write: a record per J0256 SVC and per claim
        with no SVC (whatever its procedures, which a claim-level denial does not name)."""
        return self.j0256_lines + self.claim_level_denials


def read_837(path: Path):
    """Claims of a generated 837P, in file order (a plain split: the generator's layout)."""
    payee = ("", "")
    payer = ("", "", "")
    subscriber = patient = ("", "", "")
    dependent = False
    claim: Claim | None = None
    line: Line | None = None
    rest = ""
    with open(path, encoding="ascii") as stream:
        while True:
            data = stream.read(1 << 22)
            parts = (rest + data).split("~")
            rest = parts.pop() if data else ""
            for part in parts:
                e = part.strip().split("*")
                tag = e[0]
                if tag == "CLM" or tag == "HL" or tag == "SE":
                    if claim is not None:
                        yield claim
                        claim = line = None
                if tag == "HL":
                    if e[3] == "22":
                        dependent = False
                elif tag == "NM1":
                    if e[1] == "85":
                        payee = (e[3], e[9])
                    elif e[1] == "IL":
                        subscriber = patient = (e[3], e[4], e[9])
                    elif e[1] == "QC":
                        patient, dependent = (e[3], e[4], subscriber[2] + "D"), True
                    elif e[1] == "PR":
                        payer = (e[3], e[9], payer[2])
                elif tag == "SBR":
                    payer = (payer[0], payer[1], e[9])
                elif tag == "CLM":
                    claim = Claim(e[1], cents(e[2]), e[5].split(":")[2], payer, payee, patient,
                                  subscriber if dependent else None)
                elif tag == "SV1" and claim is not None:
                    line = Line(e[1], cents(e[2]), int(e[4]))
                    claim.lines.append(line)
                elif tag == "DTP" and line is not None and e[1] == "472":
                    line.date = e[3]
                elif tag == "REF" and line is not None and e[1] == "6R":
                    line.control = e[2]
            if not data:
                break
    if claim is not None:
        yield claim


class Writer:
    """Turns claims into 835 claim payments; one open transaction per (payer, payee)."""

    def __init__(self, out, *, seed: int, newlines: bool, claims_per_transaction: int):
        self.out = out
        self.rng = random.Random(seed)
        self.term = "~\n" if newlines else "~"
        self.limit = max(1, claims_per_transaction)
        self.open: dict[tuple[str, str], list] = {}  # key -> [segments, paid cents, claims]
        self.counts = Counts()
        self.written = 0
        self.serial = 0

    def write(self, segs: list[str]) -> None:
        text = self.term.join(segs) + self.term
        self.out.write(text)
        self.written += len(text)

    def add(self, claim: Claim) -> None:
        key = (claim.payer[1], claim.payee[1])
        group = self.open.setdefault(key, [[], 0, 0, claim.payer, claim.payee])
        segs, paid = self.payment(claim)
        group[0] += segs
        group[1] += paid
        group[2] += 1
        if group[2] >= self.limit:
            self.flush(key)

    def flush(self, key: tuple[str, str]) -> None:
        body, paid, _n, payer, payee = self.open.pop(key)
        counts, rng = self.counts, self.rng
        counts.transactions += 1
        control = f"{counts.transactions:04d}"
        plb = []
        if rng.random() < PLB_SHARE:
            interest = rng.randint(1, 900)
            plb = [f"L6*{money(-interest)}"]
            if paid > 50_000 and rng.random() < 0.5:
                recovered = money(rng.randint(1, 500) * 100)
                plb.append(f"WO:PCNREC{rng.randrange(10**6):06d}*{recovered}")
            counts.provider_adjustments += len(plb)
        plb_total = sum(cents(p.split("*")[1]) for p in plb)
        segs = [f"ST*835*{control}",
                f"BPR*I*{money(paid - plb_total)}*C*ACH*CCP*01*999999992*DA*1234567*1999999999"
                f"**01*999988880*DA*{rng.randrange(10**7):07d}*20260305",
                f"TRN*1*EFT{counts.transactions:08d}*1999999999", "DTM*405*20260304",
                f"N1*PR*{payer[0]}*XV*{payer[1]}", "N3*1 PAYER WAY", "N4*TESTVILLE*MD*21000",
                "PER*BL*PROVIDER SERVICES*TE*5555550199",
                f"N1*PE*{payee[0]}*XX*{payee[1]}", "LX*1", *body]
        if plb:
            segs.append(f"PLB*{payee[1]}*20261231*" + "*".join(plb))
        segs.append(f"SE*{len(segs) + 1}*{control}")
        counts.segments += len(segs)
        self.write(segs)

    def close(self) -> None:
        for key in list(self.open):
            self.flush(key)

    # -- one claim ---------------------------------------------------------------------------

    def payment(self, claim: Claim) -> tuple[list[str], int]:
        rng, counts = self.rng, self.counts
        self.serial += 1
        counts.claims += 1
        medicare = claim.payer[2] == "MB"
        filing = "MB" if medicare else "12" if claim.payer[2] == "CI" else "16"
        is_j0256 = any(":J0256" in line.procedure for line in claim.lines)
        counts.j0256_claims += is_j0256
        names = [f"NM1*QC*1*{claim.patient[0]}*{claim.patient[1]}****MI*{claim.patient[2]}"]
        if claim.insured:
            names.append(f"NM1*IL*1*{claim.insured[0]}*{claim.insured[1]}****MI*"
                         f"{claim.insured[2]}")
        pcn = f"PCN{self.serial:010d}"
        head = f"CLP*{claim.claim_id}*{{}}*{money(claim.charge)}*{{}}*{{}}*{filing}*{pcn}*11*" \
               f"{claim.frequency}"
        draw = rng.random()
        if (is_j0256 and draw < OUTCOMES[-1][1]) or (not is_j0256 and draw < OTHER_CLAIM_DENIED):
            counts.claim_level_denials += 1
            counts.j0256_claim_level_denials += is_j0256
            if rng.random() < 0.5:
                cas, moa, pr = f"CAS*CO*16*{money(claim.charge)}", ["MOA***MA130"], 0
            else:
                cas, moa, pr = f"CAS*PR*27*{money(claim.charge)}", [], claim.charge
            return [head.format(4, 0, money(pr)), cas, *names, *moa,
                    f"DTM*232*{claim.lines[0].date}"], 0
        segs: list[str] = []
        paid_total = responsibility = 0
        for line in claim.lines:
            counts.service_lines += 1
            j0256 = ":J0256" in line.procedure
            counts.j0256_lines += j0256
            outcome = self.outcome(j0256)
            counts.denied_j0256_lines += j0256 and outcome != "paid"
            svc_units, original, lq = str(line.units), "", []
            if outcome in ("ndc", "authorization", "necessity", "bundled"):
                carc, rarc = {"ndc": ("16", "N657"), "authorization": ("197", ""),
                              "necessity": ("50", "N115"), "bundled": ("97", "")}[outcome]
                cas = [f"CAS*CO*{carc}*{money(line.charge)}"]
                lq = [f"LQ*HE*{rarc}"] if rarc else []
                paid, allowed, pr = 0, 0, 0
            else:
                charge = line.charge
                cas = []
                if outcome == "units" and line.units > 1:
                    cut = max(1, line.units // 5)
                    reduced = line.charge * cut // line.units
                    cas.append(f"CAS*CO*151*{money(reduced)}*{cut}")
                    lq = ["LQ*HE*N362"]
                    svc_units, original = str(line.units - cut), str(line.units)
                    charge -= reduced
                allowed = charge * 80 // 100
                pr = allowed // 5
                paid = allowed - pr
                sequestration = paid * 2 // 100 if medicare else 0
                paid -= sequestration
                cas.append(f"CAS*CO*45*{money(charge - allowed)}"
                           + (f"**253*{money(sequestration)}" if sequestration else ""))
                cas.append(f"CAS*PR*{'2' if medicare else '3'}*{money(pr)}")
            paid_total += paid
            responsibility += pr
            segs += [f"SVC*{line.procedure}*{money(line.charge)}*{money(paid)}**{svc_units}"
                     + (f"**{original}" if original else ""),
                     f"DTM*472*{line.date}", *cas, f"REF*6R*{line.control}"]
            if allowed:
                segs.append(f"AMT*B6*{money(allowed)}")
            segs += lq
        return [head.format(1, money(paid_total), money(responsibility)), *names, *segs], \
            paid_total

    def outcome(self, j0256: bool) -> str:
        draw = self.rng.random()
        if not j0256:
            return "bundled" if draw < OTHER_DENIED_LINE else "paid"
        scale = 1 - OUTCOMES[-1][1]  # claim-level denials were drawn already
        for name, share in OUTCOMES[1:-1]:
            if draw < share / scale:
                return name
            draw -= share / scale
        return "paid"


def generate(path: str | Path, *, size_mb: float, j0256_share: float = 0.02,
             newlines: bool = True, seed: int = 1, claims_per_transaction: int = 2000,
             claims_path: str | Path | None = None) -> dict:
    """Write one 835 of about ``size_mb`` MB that answers an 837P; return what was written.

    ``claims_path``: the 837P to answer (made with ``generate_837p.py`` when it does not
    exist: about ``size_mb / RATIO_835_TO_837`` MB, the same seed and share).
    """
    started = time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    claims_path = Path(claims_path) if claims_path else path.with_suffix(".837p.x12")
    if not claims_path.exists():
        load_generator().generate(claims_path, size_mb=size_mb / RATIO_835_TO_837,
                                       j0256_share=j0256_share, newlines=newlines, seed=seed)
    control = f"{seed % 10**9:09d}"
    with open(path, "w", encoding="ascii", newline="") as out:
        writer = Writer(out, seed=seed, newlines=newlines,
                        claims_per_transaction=claims_per_transaction)
        writer.write([f"ISA*00*{'':10}*00*{'':10}*ZZ*{'SYNTHPAYER':<15}*ZZ*"
                      f"{'SYNTHSUBMITTER':<15}*260305*1200*^*00501*{control}*0*P*:",
                      "GS*HP*SYNTHPAYER*SYNTHSUBMITTER*20260305*1200*1*X*005010X221A1"])
        for claim in read_837(claims_path):
            writer.add(claim)
        writer.close()
        counts = writer.counts
        writer.write([f"GE*{counts.transactions}*1", f"IEA*1*{control}"])
    counts.segments += 4
    result = {name: getattr(counts, name) for name in counts.__slots__}
    result.update(records=counts.records, path=str(path), claims_path=str(claims_path),
                  bytes=writer.written, size_mb=round(writer.written / 1e6, 3), seed=seed,
                  j0256_share=j0256_share, newlines=newlines,
                  generator_version=GENERATOR_VERSION,
                  seconds=round(time.perf_counter() - started, 3))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=20.0,
                        help="approximate size in MB (10**6 bytes); default 20")
    parser.add_argument("--j0256-share", type=float, default=0.02,
                        help="fraction of claims with J0256 lines, 0..1; default 0.02")
    parser.add_argument("--newlines", action=argparse.BooleanOptionalAction, default=True,
                        help="one segment per line (default) or the whole file on one line")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--claims-per-transaction", type=int, default=2000,
                        help="most claims in one ST/SE (default 2000)")
    parser.add_argument("--claims", metavar="PATH",
                        help="the 837P to answer (default: OUTPUT.837p.x12, made if absent)")
    parser.add_argument("-o", "--output", required=True, help="835 file to write")
    args = parser.parse_args(argv)
    if not 0.0 <= args.j0256_share <= 1.0:
        parser.error("--j0256-share must be between 0 and 1")
    if args.size_mb <= 0:
        parser.error("--size-mb must be positive")
    result = generate(args.output, size_mb=args.size_mb, j0256_share=args.j0256_share,
                      newlines=args.newlines, seed=args.seed,
                      claims_per_transaction=args.claims_per_transaction,
                      claims_path=args.claims)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
