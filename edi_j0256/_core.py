"""The optional compiled core: which modules run compiled, the switch to run pure, and the
guard against extensions built from another version of their source.

``setup.py`` may compile a few modules (its ``COMPILED`` list) with Cython into extension
modules beside their .py files, and then writes ``edi_j0256/_compiled.txt``: each compiled
module's source size and CRC-32 at build time. :func:`install` (called by the package's
``__init__``) puts a meta-path finder first on ``sys.meta_path`` that sends an import to the
.py source instead of the extension when

- ``EDI_J0256_PURE`` is set (not empty, not ``0``) when the package is imported: every
  module of the package is imported from its .py, whatever extensions sit beside them; or
- the module's source no longer matches the manifest (an editable checkout where the .py was
  edited after the build): one line on stderr names the module and how to rebuild.

Otherwise it finds nothing and Python's own finders load the extension. The cost at import
is one dictionary look-up per import, plus reading and checksumming each compiled module's
source once (a few hundred KB at most).
"""

from __future__ import annotations

import os
import sys
import zlib

PURE_ENV = "EDI_J0256_PURE"
REBUILD = "python -m pip install -e . (or python setup.py build_ext --inplace)"

_ROOT = os.path.dirname(os.path.abspath(__file__))


def _read_manifest(path: str) -> dict[str, tuple[int, int]]:
    """module -> (size, CRC-32) of its source at build time; empty when nothing was built.

    Read as a file beside this module, not imported: an editable install's finder would
    otherwise find another checkout's manifest."""
    try:
        with open(path, encoding="utf-8") as f:
            rows = [line.split() for line in f if line.strip() and not line.startswith("#")]
    except OSError:
        return {}
    return {name: (int(size), int(crc)) for name, size, crc in rows}


_BUILT = _read_manifest(os.path.join(_ROOT, "_compiled.txt"))
_verdicts: dict[str, bool] = {}  # module -> its source matches the manifest


# Decided once, when the package is imported, so a process never mixes the two.
_PURE = os.environ.get(PURE_ENV, "") not in ("", "0")


def pure() -> bool:
    """Whether ``EDI_J0256_PURE`` (as the package found it when imported) asks for the
    pure-Python modules."""
    return _PURE


def _source(fullname: str) -> str:
    """The .py file of a module of this package."""
    return os.path.join(_ROOT, *fullname.split(".")[1:]) + ".py"


def _extension(fullname: str) -> str | None:
    """The extension module file beside a module's source, if there is one."""
    from importlib.machinery import EXTENSION_SUFFIXES

    stem = _source(fullname)[:-3]
    return next((stem + suffix for suffix in EXTENSION_SUFFIXES
                 if os.path.exists(stem + suffix)), None)


def _fresh(fullname: str) -> bool:
    """Whether a compiled module's source is the one its extension was built from (warns
    once, on stderr, when it is not)."""
    verdict = _verdicts.get(fullname)
    if verdict is None:
        try:
            with open(_source(fullname), "rb") as f:
                data = f.read()
            verdict = (len(data), zlib.crc32(data)) == _BUILT[fullname]
        except OSError:
            verdict = True  # no source to fall back on: the extension is all there is
        _verdicts[fullname] = verdict
        if not verdict and _extension(fullname):
            sys.stderr.write(f"edi-j0256: {fullname} changed since the compiled core was "
                             f"built; using its .py source (rebuild: {REBUILD})\n")
    return verdict


class PureFinder:
    """Meta-path finder: the .py source of a module of this package instead of its
    extension, when running pure or when the extension is stale (see the module docstring)."""

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname in _BUILT:
            if not pure() and _fresh(fullname):
                return None
        elif not (fullname.startswith("edi_j0256.") and pure()):
            return None
        source = _source(fullname)
        if not os.path.isfile(source):
            return None  # a package, or not a module of this tree: the usual finders decide
        from importlib.util import spec_from_file_location

        return spec_from_file_location(fullname, source)


def install() -> None:
    """Put :class:`PureFinder` first on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, PureFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, PureFinder())


def compiled_modules() -> tuple[str, ...]:
    """The modules of the package that run compiled in this process: built into the
    compiled core, their extension present, their source unchanged, and not running pure.
    Empty when the package is pure."""
    if pure():
        return ()
    return tuple(name for name in _BUILT if _extension(name) and _fresh(name))


def describe() -> str:
    """One line for ``--version``: whether the compiled core is in use."""
    names = compiled_modules()
    if names:
        return f"compiled core: yes ({len(names)} modules)"
    if not _BUILT:
        return "compiled core: no (not built)"
    if pure():
        return f"compiled core: no ({PURE_ENV} is set)"
    return "compiled core: no (stale or missing extensions)"
