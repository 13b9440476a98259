"""edi-j0256: read, check and reconcile X12 837/835 claims for HCPCS J0256."""

from edi_j0256._core import compiled_modules, install

__version__ = "0.1.0"
__all__ = ["__version__", "compiled_modules"]

install()  # the pure switch and the stale-extension guard of the compiled core (_core.py)
