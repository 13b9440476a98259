"""The claim records and the rules' per-line records behave alike with and without the
compiled core, where they are extension types (``cython.cclass`` dataclasses) and plain
dataclasses respectively: fields in order, equality, ``repr``, ``dataclasses.replace`` and
``asdict``, pickling (``--jobs`` sends records between processes), and assignment of any
value (the annotations document, the compiled records do not check them).

Each mode runs :data:`PROBE` in a subprocess on records read from a real 837P and prints what
it saw; the compiled run must print exactly what the pure run prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = REPO_ROOT / "fixtures" / "837p-commercial.x12"

PROBE = r"""
import copy, dataclasses, json, pickle, sys
from decimal import Decimal
from edi_j0256.claims import read_claims
from edi_j0256.rules.history import Dose, DoseRef, History
from edi_j0256 import compiled_modules

claims = list(read_claims(sys.argv[1], hcpcs=("ALL",)))
claim = claims[0]
line = claim.lines[0]
out = {"compiled": "edi_j0256.claims.model" in compiled_modules()}
out["claim_fields"] = [f.name for f in dataclasses.fields(claim)]
out["line_fields"] = [f.name for f in dataclasses.fields(line)]
out["repr"] = repr(line)
out["pickled_equal"] = [pickle.loads(pickle.dumps(c, 5)) == c for c in claims]
out["copy_equal"] = copy.copy(line) == line and copy.deepcopy(claim) == claim
changed = dataclasses.replace(line, units=Decimal("12"))
out["replaced"] = [str(changed.units), changed == line, str(line.units)]
out["asdict_keys"] = list(dataclasses.asdict(claim))
out["asdict_line"] = {k: str(v) for k, v in dataclasses.asdict(line).items()}
fresh, other = type(claim)(claim.envelope, "N1"), type(claim)(claim.envelope, "N2")
out["fresh"] = [fresh.lines, fresh.diagnoses, fresh.lines is not other.lines,
                fresh.diagnoses is not other.diagnoses]
line.modifiers = ["JW"]  # any value: a list where the reader puts a tuple
line.line_number = "7"
out["assigned"] = [line.modifiers, line.line_number]
ref = DoseRef("C1", 2, "a.x12")
out["ref"] = [ref == DoseRef("C1", 2, "a.x12"), hash(ref) == hash(DoseRef("C1", 2, "a.x12")),
              ref.described_from("b.x12"), repr(ref)]
try:
    ref.claim_id = "C2"
    out["ref_frozen"] = False
except AttributeError:
    out["ref_frozen"] = True
history = History(7)
dose = Dose(line.service_date or claim.statement_from, Decimal(5), False, 1, "C1", 11, ref)
seen = history.seen(1, dose, 7)
out["seen"] = repr(seen)
print(json.dumps(out))
"""


def _probe(pure: bool) -> dict:
    env = {**os.environ}
    env.pop("EDI_J0256_PURE", None)
    if pure:
        env["EDI_J0256_PURE"] = "1"
    done = subprocess.run([sys.executable, "-c", PROBE, str(FIXTURE)], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def test_pure_records_are_dataclasses_that_round_trip():
    got = _probe(pure=True)
    assert got["compiled"] is False
    assert got["line_fields"][:3] == ["line_number", "procedure_qualifier", "procedure_code"]
    assert got["claim_fields"][-4:] == ["diagnoses", "lines", "segment", "line"]
    assert all(got["pickled_equal"]) and got["copy_equal"]
    assert got["replaced"][0] == "12" and got["replaced"][1] is False
    assert got["assigned"] == [["JW"], "7"]
    assert got["fresh"] == [[], [], True, True]  # a new list per claim
    assert got["ref"] == [True, True, "claim C1 line 2 in a.x12",
                          "DoseRef(claim_id='C1', line_number=2, file='a.x12')"]
    assert got["ref_frozen"] is True
    assert got["seen"] == "Seen(nearest=None, duplicate_of=None, day_units=Decimal('5'), " \
                          "week_units=Decimal('5'))"


def test_compiled_records_behave_as_the_pure_ones():
    compiled = _probe(pure=False)
    if not compiled["compiled"]:
        pytest.skip("the compiled core is not built (python setup.py build_ext --inplace)")
    pure = _probe(pure=True)
    assert {**compiled, "compiled": None} == {**pure, "compiled": None}
