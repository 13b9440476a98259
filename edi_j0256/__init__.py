"""edi-j0256: read, check and reconcile X12 837/835 claims for HCPCS J0256."""

__version__ = "0.1.0"
