"""The optional compiled core (``setup.py``, ``edi_j0256/_core.py``).

- With the compiled core built, ``scan``, ``check``, ``remit`` and ``reconcile`` write the same
  bytes (standard output, standard error, exit status) as with ``EDI_J0256_PURE=1``, on every
  fixture, every peer file and a generated 837P/835 pair.
- ``EDI_J0256_PURE=1`` imports every module from its .py; a compiled module whose source was
  edited after the build is imported from its .py, with one line on stderr.
- Without a compiler (``CC=false``) the package still builds, installs and runs, pure
  (``-m slow``: it builds wheels).

The comparisons skip, saying why, when no module is compiled (build the core with
``python -m pip install -e .`` or ``python setup.py build_ext --inplace``).

Run as a script (``python tests/test_compiled.py INPUTS.json``) it is the probe the identity
test starts twice, once per mode: it runs every command of the list in-process and prints the
results as JSON.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PEERS_DIR = REPO_ROOT.parent / "shared" / "corpus" / "peers"
AS_OF = "2026-12-01"


def _setup_list() -> tuple[str, ...]:
    """``COMPILED`` as setup.py spells it (read, not imported: importing runs the build)."""
    tree = ast.parse((REPO_ROOT / "setup.py").read_text(encoding="utf-8"))
    return next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["COMPILED"])


COMPILED = _setup_list()
STALE = ("edi-j0256: edi_j0256.x12.needle changed since the compiled core was built; using "
         "its .py source (rebuild: python -m pip install -e . (or python setup.py build_ext "
         "--inplace))\n")
PROBE = ("import json, edi_j0256, edi_j0256.scan, edi_j0256.x12.needle\n"
         "from edi_j0256._core import describe\n"
         "print(json.dumps({'compiled': edi_j0256.compiled_modules(), 'describe': describe(),"
         " 'scan': edi_j0256.scan.__file__, 'needle': edi_j0256.x12.needle.__file__}))\n")


def _compiled() -> tuple[str, ...]:
    import edi_j0256

    return edi_j0256.compiled_modules()


needs_core = pytest.mark.skipif(
    not _compiled(), reason="no compiled core in this checkout (or EDI_J0256_PURE is set): "
    "build it with `python -m pip install -e .` or `python setup.py build_ext --inplace`")


# -- the probe: every command on every input, in one process ------------------------------

def _commands(inputs: dict) -> list[list[str]]:
    """The command lines of the identity test (paths as given, relative to the repository)."""
    files, claims, remits = inputs["files"], inputs["claims"], inputs["remits"]
    runs = []
    for path in files:
        runs += [["scan", "--format", "jsonl", path],
                 ["scan", "--format", "jsonl", "--hcpcs", "ALL", path],
                 ["check", "--format", "jsonl", "--fail-on", "warning", path],
                 ["remit", "--format", "jsonl", "--hcpcs", "ALL", path]]
    rules = [path for path in files if path.startswith("fixtures/rules/")]
    runs.append(["check", "--format", "jsonl", *rules])  # the cross-claim rules, all at once
    for name, form in (("837p-billing-errors.x12", "table"), ("837p-medicare.x12", "csv"),
                       ("837i-outpatient.x12", "json")):
        runs += [["scan", "--format", form, f"fixtures/{name}"],
                 ["check", "--format", form, f"fixtures/{name}"]]
    for group_claims, group_remits in zip(claims, remits, strict=True):
        runs += [["reconcile", "--as-of", AS_OF, "--format", "jsonl", "--claims", *group_claims,
                  "--remits", *group_remits],
                 ["reconcile", "--as-of", AS_OF, "--format", "csv", "--claims", *group_claims,
                  "--remits", *group_remits]]
    return runs


def _probe(inputs_path: str) -> None:
    """Run every command in this process and print [{args, exit, stdout, stderr}] as JSON."""
    from click.testing import CliRunner

    from edi_j0256.cli import cli

    inputs = json.loads(Path(inputs_path).read_text())
    results = []
    for args in _commands(inputs):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        results.append({"args": args, "exit": result.exit_code, "stdout": result.stdout,
                        "stderr": result.stderr})
    json.dump({"compiled": _compiled(), "runs": results}, sys.stdout)


# -- (a) compiled == pure -----------------------------------------------------------------

def _relative(paths) -> list[str]:
    return [os.path.relpath(p, REPO_ROOT) for p in paths]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict:
    """Every fixture and peer file, and a generated 837P (30% J0256) with the 835 answering it;
    the claim and remit groups reconcile runs on."""
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    try:
        from common import load_script
    finally:
        sys.path.remove(str(REPO_ROOT / "benchmarks"))
    folder = tmp_path_factory.mktemp("compiled")
    remit = folder / "gen.835.x12"
    load_script("generate_835").generate(remit, size_mb=0.3, j0256_share=0.3, seed=7)
    claim = remit.with_suffix(".837p.x12")
    fixtures = sorted(p for p in (REPO_ROOT / "fixtures").rglob("*")
                      if p.suffix in (".x12", ".edi"))
    peers = sorted(p for p in PEERS_DIR.rglob("*") if p.is_file() and p.suffix != ".md")
    top = sorted((REPO_ROOT / "fixtures").glob("*.x12"))
    cases = sorted((REPO_ROOT / "fixtures" / "reconcile").iterdir())
    groups = [(top, "837"), (cases, "837")]
    claims = [_relative(p for p in group if p.name.startswith(kind)) for group, kind in groups]
    remits = [_relative(p for p in group if p.name.startswith("835")) for group, _ in groups]
    return {"files": _relative([*fixtures, *peers, claim, remit]),
            "claims": [*claims, _relative([claim])], "remits": [*remits, _relative([remit])]}


def _start_probe(inputs_file: Path, pure: bool) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("EDI_J0256_PURE", None)
    if pure:
        env["EDI_J0256_PURE"] = "1"
    return subprocess.Popen([sys.executable, __file__, str(inputs_file)], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen) -> dict:
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]
    return json.loads(stdout)


@needs_core
def test_compiled_and_pure_write_the_same_bytes(inputs, tmp_path):
    inputs_file = tmp_path / "inputs.json"
    inputs_file.write_text(json.dumps(inputs))
    compiled, pure = (_start_probe(inputs_file, mode) for mode in (False, True))
    compiled, pure = _finish(compiled), _finish(pure)  # the two run side by side
    assert compiled["compiled"] == list(_compiled()) and pure["compiled"] == []
    assert len(compiled["runs"]) == len(pure["runs"]) > 500
    for got, want in zip(compiled["runs"], pure["runs"], strict=True):
        assert got == want, f"compiled and pure differ on {' '.join(got['args'])}"
    # the runs read real records, findings and remit lines, not only errors
    outputs = "".join(run["stdout"] for run in pure["runs"])
    counts = [outputs.count(key) for key in ('"procedure_code": "J0256"', '"code": "J',
                                             '"carc": "')]
    assert counts[0] > 1500 and counts[1] > 200 and counts[2] > 1000, counts


# -- (b) the pure switch and the stale guard ---------------------------------------------

def _copy_package(tmp_path: Path) -> Path:
    """The package as this checkout holds it (sources, extensions, manifest) in tmp."""
    shutil.copytree(REPO_ROOT / "edi_j0256", tmp_path / "edi_j0256",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _run_probe(root: Path, **env: str) -> tuple[dict, str]:
    environment = {**os.environ, "PYTHONPATH": str(root), **env}
    if "EDI_J0256_PURE" not in env:
        environment.pop("EDI_J0256_PURE", None)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=root, env=environment,
                          capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout), done.stderr


@needs_core
def test_the_pure_switch_imports_every_module_from_its_source(tmp_path):
    root = _copy_package(tmp_path)
    compiled, errors = _run_probe(root)
    assert compiled["scan"].endswith(".so") and compiled["needle"].endswith(".so")
    assert compiled["compiled"] == list(_compiled()) and errors == ""
    assert compiled["describe"] == f"compiled core: yes ({len(_compiled())} modules)"
    pure, errors = _run_probe(root, EDI_J0256_PURE="1")
    assert pure == {"compiled": [], "describe": "compiled core: no (EDI_J0256_PURE is set)",
                    "scan": str(root / "edi_j0256" / "scan.py"),
                    "needle": str(root / "edi_j0256" / "x12" / "needle.py")}
    assert errors == ""
    assert _run_probe(root, EDI_J0256_PURE="0")[0] == compiled


@needs_core
@pytest.mark.parametrize("edit", ["append a line", "same size"])
def test_an_edited_source_is_used_instead_of_its_stale_extension(tmp_path, edit):
    root = _copy_package(tmp_path)
    source = root / "edi_j0256" / "x12" / "needle.py"
    text = source.read_text()
    if edit == "append a line":
        text += "EDITED = True\n"
    else:  # one character changed: the size is the same, the checksum is not
        assert "Needle-first reading" in text
        text = text.replace("Needle-first reading", "Needle-First reading", 1)
    source.write_text(text)
    got, errors = _run_probe(root)
    assert got["needle"] == str(source) and got["scan"].endswith(".so")
    assert got["compiled"] == [name for name in _compiled() if name != "edi_j0256.x12.needle"]
    assert errors == STALE  # one line, once, naming the module and how to rebuild
    pure, errors = _run_probe(root, EDI_J0256_PURE="1")
    assert pure["needle"] == str(source) and errors == ""


def test_a_checkout_without_the_core_runs_pure_and_says_so(tmp_path):
    shutil.copytree(REPO_ROOT / "edi_j0256", tmp_path / "edi_j0256",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "_compiled.txt"))
    got, errors = _run_probe(tmp_path)
    assert got == {"compiled": [], "describe": "compiled core: no (not built)",
                   "scan": str(tmp_path / "edi_j0256" / "scan.py"),
                   "needle": str(tmp_path / "edi_j0256" / "x12" / "needle.py")}
    assert errors == ""
    version = subprocess.run([sys.executable, "-m", "edi_j0256", "--version"], cwd=tmp_path,
                             capture_output=True, text=True, check=True, timeout=60)
    assert version.stdout == "edi-j0256, version 0.1.0\ncompiled core: no (not built)\n"


# -- (c) the build, with and without a compiler (slow: it compiles) ----------------------

@pytest.mark.parametrize("why", ["Cython is not installed", "EDI_J0256_PURE_BUILD is set"])
def test_a_build_that_cannot_compile_leaves_the_pure_package(tmp_path, why):
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "edi_j0256", tmp_path / "edi_j0256",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "_compiled.txt"))
    # what an earlier build left in place: both go
    stale = tmp_path / "edi_j0256" / "scan.cpython-311-x86_64-linux-gnu.so"
    stale.write_bytes(b"not an extension")
    (tmp_path / "edi_j0256" / "_compiled.txt").write_text("edi_j0256.scan 1 2\n")
    env = {**os.environ, "EDI_J0256_PURE_BUILD": "1"}
    if why == "Cython is not installed":
        fake = tmp_path / "fake" / "Cython"
        fake.mkdir(parents=True)
        (fake / "__init__.py").write_text("raise ImportError('no Cython here')\n")
        env = {**os.environ, "PYTHONPATH": str(fake.parent)}
        env.pop("EDI_J0256_PURE_BUILD", None)
    done = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ours = [line for line in done.stderr.splitlines() if line.startswith("edi-j0256:")]
    assert ours == [f"edi-j0256: {why}; installing the pure-Python modules only"]
    assert not stale.exists() and not (tmp_path / "edi_j0256" / "_compiled.txt").exists()
    assert _run_probe(tmp_path)[0]["describe"] == "compiled core: no (not built)"


def _wheel(tmp_path: Path, **env: str) -> tuple[Path, str]:
    """Build a wheel of a copy of the repository as pip does (in an isolated environment
    with pyproject.toml's build requirements); (the wheel, the build's output)."""
    source = tmp_path / "src"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(
        "__pycache__", "*.so", "_compiled.txt", "build", "*.egg-info", ".git", "out"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w",
                           str(tmp_path / "dist"), str(source)], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return next((tmp_path / "dist").glob("edi_j0256-*.whl")), done.stdout + done.stderr


def _install(wheel: Path, target: Path) -> subprocess.CompletedProcess:
    """Unpack the wheel into ``target`` and scan a fixture from there."""
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("EDI_J0256_PURE", None)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=target, env=env,
                          capture_output=True, text=True, check=True, timeout=60)


@pytest.mark.slow
def test_a_wheel_holds_the_sources_and_the_extensions(tmp_path):
    wheel, log = _wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert f"edi-j0256: compiled core built: {len(COMPILED)} modules" in log
    assert "edi_j0256/_compiled.txt" in names
    for module in (name.removeprefix("edi_j0256.").replace(".", "/") for name in COMPILED):
        assert f"edi_j0256/{module}.py" in names
        assert any(n.startswith(f"edi_j0256/{module}.cpython-") for n in names), module
    got = json.loads(_install(wheel, tmp_path / "site").stdout)
    assert sorted(got["compiled"]) == sorted(COMPILED) and got["scan"].endswith(".so")


@pytest.mark.slow
def test_without_a_compiler_the_wheel_is_pure_and_runs(tmp_path):
    wheel, log = _wheel(tmp_path, CC="false")
    assert "installing the pure-Python modules only" in log
    names = zipfile.ZipFile(wheel).namelist()
    assert "edi_j0256/scan.py" in names and "edi_j0256/_compiled.txt" not in names
    assert not [n for n in names if n.endswith(".so")]
    got = json.loads(_install(wheel, tmp_path / "site").stdout)
    assert got["compiled"] == [] and got["describe"] == "compiled core: no (not built)"
    scan = subprocess.run([sys.executable, "-m", "edi_j0256", "scan", "--format", "jsonl",
                           str(REPO_ROOT / "fixtures" / "837p-medicare.x12")],
                          cwd=tmp_path / "site", capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(tmp_path / "site")})
    assert scan.returncode == 0 and scan.stdout.count('"procedure_code": "J0256"') == 5


if __name__ == "__main__":
    _probe(sys.argv[1])
