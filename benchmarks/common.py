"""What the benchmark scripts share: loading a sibling script (the generators) and the
pure-Python floor.

Run from the scripts in this folder (``python benchmarks/bench_*.py`` puts it on sys.path; a
script loaded from a test puts this folder on sys.path itself).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_script(name: str):
    """The script ``benchmarks/NAME.py`` as a module (the scripts are not a package), loaded
    once: a second call returns the same module."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def load_generator():
    """``generate_837p.py`` as a module."""
    return load_script("generate_837p")


def floor(path: Path) -> int:
    """Read the file and split every segment and element (the pure-Python floor); the
    number of elements, so the work cannot be optimised away."""
    with open(path, "rb") as f:
        isa = f.read(106)
        f.seek(0)
        element, terminator = isa[3:4], isa[105:106]
        count, carry = 0, b""
        while chunk := f.read(1 << 22):
            parts = (carry + chunk).split(terminator)
            carry = parts.pop()
            for part in parts:
                count += len(part.split(element))
    return count
