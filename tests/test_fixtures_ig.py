"""Every top-level fixture file passes pyx12's implementation-guide validation.

pyx12's ``x12n_document`` is called directly: the ``x12valid`` script's exit code is
inverted (it exits 1 on success), so it is not used. No 999 is generated (``fd_997=None``):
pyx12 cannot build a 999 for an 835, and the validation result is what counts here. The
errors pyx12 found are collected through its JSON error visitor so a failure names them.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from pyx12 import params as pyx12_params
from pyx12 import x12n_document as pyx12_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.glob("*.x12"))


def _collect_errors(node: object, where: str, out: list[str]) -> None:
    """Flatten pyx12's JSON error tree into readable lines."""
    if isinstance(node, dict):
        here = where
        if "seg_id" in node:
            here = f"{where} line {node.get('cur_line')} {node.get('seg_id')}"
        elif "trn_set_control_num" in node:
            here = f"{where} ST02={node.get('trn_set_control_num')}"
        elif "gs_control_num" in node:
            here = f"{where} GS06={node.get('gs_control_num')}"
        for err in node.get("errors") or []:
            if isinstance(err, dict):
                out.append(f"{here}: {err.get('err_cde')} {err.get('err_str')}")
        for key, value in node.items():
            if key != "errors" and isinstance(value, list | dict):
                _collect_errors(value, here, out)
    elif isinstance(node, list):
        for item in node:
            _collect_errors(item, where, out)


def _validate(path: Path) -> tuple[bool, list[str]]:
    param = pyx12_params.params()
    json_out = io.StringIO()
    logger = logging.getLogger("pyx12")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # pyx12 logs every finding; the JSON report has them
    try:
        ok = pyx12_document.x12n_document(
            param=param,
            src_file=str(path),
            fd_997=None,
            fd_html=None,
            fd_xmldoc=None,
            fd_json=json_out,
        )
    finally:
        logger.setLevel(level)
    problems: list[str] = []
    text = json_out.getvalue()
    if text:
        _collect_errors(json.loads(text), path.name, problems)
    return bool(ok), problems


def test_fixture_directory_has_x12_files() -> None:
    names = {p.name for p in FIXTURE_FILES}
    assert {"837p-medicare.x12", "837p-commercial.x12", "837i-outpatient.x12"} <= names


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_passes_pyx12_ig_validation(path: Path) -> None:
    ok, problems = _validate(path)
    assert ok and not problems, f"{path.name} failed pyx12 validation:\n" + "\n".join(
        problems or ["(pyx12 returned False without itemised errors)"]
    )


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_layout(path: Path) -> None:
    """The layout the brief fixes: a 106-character ISA, '~' then a newline after every segment."""
    raw = path.read_bytes()
    assert raw.startswith(b"ISA"), "byte 0 must be ISA (no BOM, no leading whitespace)"
    text = raw.decode("ascii")
    assert text.index("~") + 1 == 106, "ISA must be exactly 106 characters"
    assert text.endswith("~\n")
    lines = text.split("\n")[:-1]
    assert all(line.endswith("~") and line.count("~") == 1 for line in lines)


RULE_FIXTURE_FILES = sorted((FIXTURES / "rules").glob("*.x12"))
FAILS_THE_GUIDE = {"JN005-trigger.x12", "JN006-trigger.x12"}  # CTP missing / CTP05 MG


@pytest.mark.slow
def test_rule_fixtures_pass_pyx12_except_the_two_that_must_not() -> None:
    """Rule fixtures are valid X12 (twins in 2000C, REF*F8, 10 lines ...), so a finding on
    them is about billing, not syntax; only the two CTP fixtures break the guide."""
    from edi_j0256.rules.ig import run_pyx12

    failing = {p.name for p in RULE_FIXTURE_FILES if list(run_pyx12(str(p)))}
    assert failing == FAILS_THE_GUIDE
