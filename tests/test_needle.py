"""The needle-first path (``edi_j0256.x12.needle``) against the general loop, exactly.

Each input is read twice with the same codes: once as shipped (regular stretches needle-first,
HL loops as runs) and once with the needle path switched off on the tokenizer, so every unit
goes through the general loop. Records (as JSON Lines), every count of ``ReadStats`` and every
diagnostic (code, severity, message, position) must be equal, at chunk sizes that put chunk
boundaries everywhere. Inputs: the fixtures, the regression inputs, every peer file, generated
files in both layouts (several shares, seeds and transaction sizes) and hostile shapes.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.output import write_jsonl
from edi_j0256.scan import iter_scan
from edi_j0256.x12 import needle
from edi_j0256.x12 import tokenizer as tokenizer_module

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "corpus" / "peers"
FILES = (sorted((ROOT / "fixtures").rglob("*.x12")) + sorted((ROOT / "tests").rglob("*.x12"))
         + sorted(p for p in PEERS.rglob("*") if p.is_file() and p.suffix != ".md"))
CHUNKS = (1 << 22, 4096, 613)
DENSE = tokenizer_module._DENSE


def _generator():
    spec = importlib.util.spec_from_file_location("generate_837p",
                                                  ROOT / "benchmarks" / "generate_837p.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules.setdefault("generate_837p", module)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def read(data: bytes, *, chunk: int, runs: bool, hcpcs=("J0256",), name="in.x12",
         dense: bool = False):
    """(records as JSON Lines, stats, diagnostics, whether a run was handed on). Unless
    ``dense``, the needle path is taken however many hits a buffer holds."""
    if not dense:
        tokenizer_module._DENSE = 0
    diagnostics = Diagnostics()
    records, reader = iter_scan(io.BytesIO(data), name=name, hcpcs=hcpcs,
                                diagnostics=diagnostics)
    tokenizer = reader.reader.tokenizer
    tokenizer.chunk_size = chunk
    tokenizer.runs = tokenizer.runs and runs
    used = []
    push_run = reader._push_run

    def spy(run):
        used.append(run)
        push_run(run)

    reader._push_run = spy  # type: ignore[method-assign]
    out = io.StringIO()
    try:
        write_jsonl(records, out)
        error = None
    except Exception as exc:  # the same failure either way is equal output too
        error = f"{type(exc).__name__}: {exc}"
    finally:
        tokenizer_module._DENSE = DENSE
    shown = [(d.code, str(d.severity), d.message, d.file, d.segment, d.line)
             for d in diagnostics]
    return out.getvalue(), reader.stats, shown, error, bool(used)


def assert_same(data: bytes, chunk: int = 1 << 22, hcpcs=("J0256",), dense=False) -> bool:
    fast = read(data, chunk=chunk, runs=True, hcpcs=hcpcs, dense=dense)
    slow = read(data, chunk=chunk, runs=False, hcpcs=hcpcs)
    assert fast[0] == slow[0]  # records
    assert fast[1] == slow[1]  # stats
    assert fast[2] == slow[2]  # diagnostics
    assert fast[3] == slow[3]  # a failure, if any
    assert not slow[4]
    return fast[4]


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_files(path, chunk):
    assert_same(path.read_bytes(), chunk)


@pytest.mark.parametrize("layout", ["lines", "one-line", "crlf"])
@pytest.mark.parametrize(("share", "seed", "claims"),
                         [(0.02, 1, 3000), (0.02, 2, 40), (0.2, 3, 500), (0.005, 4, 7),
                          (1.0, 5, 100), (0.0, 6, 300)])
def test_generated(tmp_path, layout, share, seed, claims):
    gen = _generator()
    path = tmp_path / "g.x12"
    gen.generate(path, size_mb=0.4, j0256_share=share, newlines=layout != "one-line",
                 seed=seed, claims_per_transaction=claims)
    data = path.read_bytes()
    if layout == "crlf":  # CR LF after every terminator: read needle-first too
        data = data.replace(b"~\n", b"~\r\n")
    used = False
    for chunk in (1 << 22, 65536, 4099):
        used |= assert_same(data, chunk)
    assert_same(data, dense=True)  # as shipped: dense buffers go to the general loop
    if 0 < share < 1:
        assert used  # the needle path really ran


# -- hostile shapes -----------------------------------------------------------------------------

ISA = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260202*0930*^*"
       "00501*{control:09d}*0*T*:~")
GS = "GS*HC*SUBMITTER*RECEIVER*20260202*0930*{control}*X*{version}~"
BILLING = "HL*{id}**20*1~NM1*85*2*CLINIC*****XX*1999000015~"
SUBSCRIBER = "HL*{id}*{parent}*22*0~SBR*P*18*******MB~NM1*IL*1*{last}*ALPHA****MI*9TA0TA0~" \
             "DMG*D8*19550312*F~NM1*PR*2*PAYER*****PI*TSTMB01~"
CLAIM = ("CLM*C{n}*100***11:B:1*Y*A*Y*Y~HI*ABK:E8801~REF*G1*{ref}~LX*1~SV1*HC:{code}*100*UN*"
         "4***1~DTP*472*D8*20260105~")


def interchange(body: list[str], control: int = 1, version: str = "005010X222A1",
                newlines: bool = True) -> str:
    head = [GS.format(control=control, version=version), f"ST*837*0001*{version}",
            "BHT*0019*00*X1*20260202*0930*CH", "NM1*41*2*SUBMITTER*****46*S01"]
    head[0] = head[0].rstrip("~")
    segments = [s for part in body for s in part.split("~") if s]
    st = len(head) - 1 + len(segments) + 1  # ST .. SE
    lines = ([ISA.format(control=control).rstrip("~")] + head + segments
             + [f"SE*{st}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"])
    return "".join(s + ("~\n" if newlines else "~") for s in lines)


def claims_file(n: int = 60, hit=lambda k: k % 17 == 5, last=lambda k: f"DOE{k}", ref="AUTH",
                code_of=None, newlines=True, control=1, version="005010X222A1") -> str:
    body = [BILLING.format(id=1)]
    hl = 2
    for k in range(n):
        if k % 3 == 0:
            body.append(SUBSCRIBER.format(id=hl, parent=1, last=last(k)))
            hl += 1
        code = code_of(k) if code_of else ("J0256" if hit(k) else "99213")
        body.append(CLAIM.format(n=k, ref=ref, code=code))
    return interchange(body, control=control, version=version, newlines=newlines)


HOSTILE = {
    "needle-in-names": lambda nl: claims_file(last=lambda k: "J0256SON" if k % 4 else "DOE",
                                              newlines=nl),
    "needle-in-ref": lambda nl: claims_file(ref="XJ0256", hit=lambda k: False, newlines=nl),
    "lower-case-code": lambda nl: claims_file(code_of=lambda k: "j0256" if k % 9 == 2
                                              else "99213", newlines=nl),
    "dental-transaction": lambda nl: claims_file(version="005010X224A2", newlines=nl),
    "missing-parent": lambda nl: claims_file(newlines=nl).replace("HL*5*1*22", "HL*5*9*22"),
    "self-parent": lambda nl: claims_file(newlines=nl).replace("HL*6*1*22", "HL*6*6*22"),
    "repeated-hl-ids": lambda nl: claims_file(newlines=nl).replace("HL*7*1*", "HL*3*1*"),
    "empty-segment": lambda nl: claims_file(newlines=nl).replace("HI*ABK:E8801~", "HI*ABK:"
                                                                 "E8801~~", 7),
    "crlf-midway": lambda nl: claims_file(newlines=nl).replace("DTP*472*D8*20260105~",
                                                               "DTP*472*D8*20260105~\r", 9),
    "indented": lambda nl: claims_file(newlines=nl).replace("~CLM", "~  CLM", 5),
    "clm-without-elements": lambda nl: claims_file(newlines=nl).replace("CLM*C10*100***11:B:1"
                                                                        "*Y*A*Y*Y", "CLM"),
    "bare-clm-right-before-hl": lambda nl: claims_file(hit=lambda k: k % 3 == 0,
                                                       newlines=nl).replace(
        "HL*8*1*", "CLM~\n" + "HL*8*1*" if nl else "CLM~HL*8*1*"),
    "hl-without-elements": lambda nl: claims_file(newlines=nl).replace("HL*8*1*22*0", "HL"),
    "sv2-and-bare-sv1": lambda nl: claims_file(newlines=nl).replace("LX*1~", "LX*1~SV2*0250*"
                                                                    "HC:J0256*1*UN*1~SV1~", 11),
    "bad-se-count": lambda nl: claims_file(newlines=nl).replace("SE*", "SE*9", 1),
    "two-interchanges-other-delimiters": lambda nl: claims_file(newlines=nl) + claims_file(
        newlines=nl, control=2).replace("*", "|").replace("~", "!").replace(":", "^"),
    "missing-se": lambda nl: claims_file(newlines=nl).replace("SE*", "XX*", 1) + claims_file(
        newlines=nl, control=2),
    "newline-inside-element": lambda nl: claims_file(newlines=nl).replace("NM1*PR*2*PAYER",
                                                                          "NM1*PR*2*PA\nYER", 3),
    "deep-nesting": lambda nl: claims_file(newlines=nl).replace(
        "HL*2*1*22*0~", "HL*2*1*22*0~" + "".join(f"HL*{90 + k}*{89 + k if k else 2}*23*0~"
                                                  for k in range(10))),
    "needle-in-every-hl-no-claims": lambda nl: interchange(
        [BILLING.format(id=1)] + [SUBSCRIBER.format(id=k, parent=1, last="J0256SON")
                                  for k in range(2, 400)] + [CLAIM.format(n=1, ref="A",
                                                                          code="J0256")],
        newlines=nl),
    "no-final-terminator": lambda nl: claims_file(newlines=nl).rstrip("~\n"),
}


@pytest.mark.parametrize("chunk", (1 << 22, 997, 211))
@pytest.mark.parametrize("newlines", [True, False], ids=["lines", "one-line"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile(name, newlines, chunk):
    data = HOSTILE[name](newlines).encode()
    assert_same(data, chunk)


def test_code_split_across_chunks():
    """A code cut by a chunk boundary is still found: every cut position in one claim."""
    data = claims_file(n=12, hit=lambda k: k == 7).encode()
    at = data.index(b"J0256")
    for chunk in range(at - 3, at + 6):
        assert_same(data, chunk)


def test_needle_path_runs_and_hands_on_runs():
    data = claims_file(n=300).encode()
    fast = read(data, chunk=1 << 22, runs=True)
    assert fast[4]
    assert fast[1].claims == 300 and fast[1].claims_read == len(
        [k for k in range(300) if k % 17 == 5])


def test_run_finds_units_by_text_and_by_counting():
    """Run.unit gives the HL's own bytes, with unique texts and with repeated ones."""
    from edi_j0256.x12.tokenizer import Tokenizer

    data = claims_file(n=30, hit=lambda k: k == 29).replace("HL*7*1*", "HL*4*1*").encode()
    tokenizer = Tokenizer(io.BytesIO(data), skip_unless={"CLM": (b"J0256",)}, runs=True)
    runs = [u for u in tokenizer.units() if u.tag == needle.RUN_TAG]
    assert runs
    for run in runs:
        for i, item in enumerate(run.items):
            unit = run.unit(i)
            assert unit.head().startswith(b"HL")
            assert unit.head()[3:] == item[run.skip:]


def test_positions_of_needles_that_differ_only_in_letters():
    """J0256 and j0256 are found in one pass by their tail; each position is a needle's start,
    whatever the start of the search, and a tail without its letter is no hit."""
    from edi_j0256.x12.tokenizer import _positions

    text = b"J0256*x0256*j0256~0256~AJ0256"
    assert _positions(text, 0, (b"J0256", b"j0256")) == [0, 12, 24]
    assert _positions(text, 1, (b"J0256", b"j0256")) == [12, 24]
    assert _positions(text, 0, (b"0256",)) == [1, 7, 13, 18, 25]
    assert _positions(text, 0, (b"AJ0256", b"j0256")) == [12, 23]


@pytest.mark.parametrize("codes", [("J0256", "96366"), ("J1100",), ("J0256", "J1100", "J3490"),
                                   ("96365",)])
def test_generated_other_codes(tmp_path, codes):
    """Several codes, codes without a letter (one needle), and codes few claims hold."""
    path = tmp_path / "g.x12"
    _generator().generate(path, size_mb=0.3, j0256_share=0.05, newlines=True, seed=9,
                          claims_per_transaction=200)
    for chunk in (1 << 22, 5003):
        assert_same(path.read_bytes(), chunk, hcpcs=codes)
