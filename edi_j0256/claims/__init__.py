"""837P / 837I claims: the record model and the reader that builds it."""

from edi_j0256.claims.model import Claim, Diagnosis, Envelope, ServiceLine
from edi_j0256.claims.ndc import normalize_ndc
from edi_j0256.claims.parser import ClaimReader, ReadStats, read_claims

__all__ = ["Claim", "ClaimReader", "Diagnosis", "Envelope", "ReadStats", "ServiceLine",
           "normalize_ndc", "read_claims"]
