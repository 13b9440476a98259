"""Generators of hostile-but-valid-looking 837P text, one per cost dimension of the reader.

Each returns bytes for a size ``n``; the scaling tests time the reader on ``n`` and ``2n`` and
check the growth (linear: about 2x). Synthetic values only (no real patients).
"""

from __future__ import annotations

ISA = ("ISA*00*          *00*          *ZZ*TESTSUBMITTER  *ZZ*TESTRECEIVER   *260202*0930*^*"
       "00501*{control:09d}*0*T*:~")
HEAD = ("GS*HC*TESTSUBMITTER*TESTRECEIVER*20260202*0930*{group}*X*005010X222A1~"
        "ST*837*0001*005010X222A1~BHT*0019*00*SCALE0001*20260202*0930*CH~"
        "NM1*41*2*TEST SUBMITTER*****46*TESTSUB01~")
BILLING = "HL*1**20*1~NM1*85*2*TEST CLINIC*****XX*1999000015~"
SUBSCRIBER = ("HL*{id}*{parent}*22*0~SBR*P*18*******MB~NM1*IL*1*TESTPATIENT*ALPHA****MI*"
              "9TA0TA0TA01~DMG*D8*19550312*F~NM1*PR*2*TEST PAYER*****PI*TSTMB01~")
CLAIM = ("CLM*SCALE-{n}*2250***11:B:1*Y*A*Y*Y~HI*ABK:E8801~LX*1~SV1*HC:J0256*2250*UN*450***1~"
         "DTP*472*D8*20260105~")
LINE = "LX*{n}~SV1*HC:J0256*10*UN*2***1~DTP*472*D8*20260105~"


def _transaction(body: str, control: int = 1) -> str:
    """One interchange around ``body`` (the segments after BHT / NM1*41), with SE01 right."""
    head = HEAD.format(group=control)
    st = head[head.index("ST*"):]
    segments = sum(1 for part in (st + body).split("~") if part) + 1
    return (ISA.format(control=control) + head + body
            + f"SE*{segments}*0001~GE*1*{control}~IEA*1*{control:09d}~")


def interchanges(n: int) -> bytes:
    """``n`` small interchanges in one file, one claim each."""
    one = _transaction(BILLING + SUBSCRIBER.format(id=2, parent=1) + CLAIM.format(n=1))
    return (one * n).encode()


def empty_segments(n: int) -> bytes:
    """One claim followed by ``n`` empty segments (``~~``)."""
    body = BILLING + SUBSCRIBER.format(id=2, parent=1) + CLAIM.format(n=1) + "~" * n
    return _transaction(body).encode()


def nested_hl(n: int) -> bytes:
    """``n`` subscriber levels each nested in the one before, a claim under each."""
    parts = [BILLING]
    for level in range(2, n + 2):
        parts.append(f"HL*{level}*{level - 1}*22*1~" + CLAIM.format(n=level))
    return _transaction("".join(parts)).encode()


def hl_self_or_forward(n: int) -> bytes:
    """``n`` HL loops, alternately naming themselves and a later HL as parent, with claims."""
    parts = [BILLING]
    for level in range(2, n + 2):
        parent = level if level % 2 else level + 1
        parts.append(f"HL*{level}*{parent}*22*0~" + CLAIM.format(n=level))
    return _transaction("".join(parts)).encode()


def lines_in_one_claim(n: int) -> bytes:
    """One claim with ``n`` service lines (more than a guide allows when n > 50)."""
    body = (BILLING + SUBSCRIBER.format(id=2, parent=1)
            + "CLM*HUGE-1*2250***11:B:1*Y*A*Y*Y~HI*ABK:E8801~"
            + "".join(LINE.format(n=k) for k in range(1, n + 1)))
    return _transaction(body).encode()


def claims_of_one_member(n: int) -> bytes:
    """``n`` claims under one subscriber."""
    body = BILLING + SUBSCRIBER.format(id=2, parent=1) + "".join(
        CLAIM.format(n=k) for k in range(n))
    return _transaction(body).encode()


DIMENSIONS = {
    "interchanges": (interchanges, 500),
    "empty_segments": (empty_segments, 25_000),
    "nested_hl": (nested_hl, 500),
    "hl_self_or_forward": (hl_self_or_forward, 1_000),
    "lines_in_one_claim": (lines_in_one_claim, 10_000),
    "claims_of_one_member": (claims_of_one_member, 1_000),
}
