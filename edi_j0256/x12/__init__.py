"""The X12 layer: tokenizer (bytes -> units -> segments) and envelope checks."""

from edi_j0256.x12.reader import X12Reader, read_segments
from edi_j0256.x12.tokenizer import (
    CLAIM_BOUNDARIES,
    REMIT_BOUNDARIES,
    Delimiters,
    Segment,
    Tokenizer,
    Unit,
)

__all__ = ["CLAIM_BOUNDARIES", "REMIT_BOUNDARIES", "Delimiters", "Segment", "Tokenizer", "Unit",
           "X12Reader", "read_segments"]
