"""Where a transaction sits in its file: interchange, group and transaction identifiers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Envelope:
    """Where a transaction sits: ISA13 / GS06 / ST02, the transaction type and GS08."""

    file: str
    interchange_control: str | None = None  # ISA13
    group_control: str | None = None  # GS06
    transaction_control: str | None = None  # ST02
    transaction_type: str | None = None  # "837P", "837I", "835"
    implementation: str | None = None  # GS08, e.g. 005010X222A1
    sender_id: str | None = None  # ISA06 / GS02
    receiver_id: str | None = None  # ISA08 / GS03
