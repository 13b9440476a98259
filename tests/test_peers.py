"""Every file of the shared peer corpus (other X12 projects' test files) is read without a
traceback; a few known facts about them are checked.

The corpus lives outside the repository, at ``../shared/corpus/peers`` from the repository
root (see its PROVENANCE.md). When it is absent these tests skip, saying so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edi_j0256.claims import ClaimReader, read_claims
from edi_j0256.diagnostics import Diagnostics, X12ReadError
from edi_j0256.x12.reader import X12Reader, read_segments
from edi_j0256.x12.tokenizer import Tokenizer

PEERS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "peers"
NOT_X12 = {"PROVENANCE.md"}
NOT_X12_SUFFIXES = {".md", ".csv"}  # edi-835-parser keeps its CSV outputs next to the inputs
UNREADABLE = {"badx12/errors/bad_file.edi"}  # "bad_file" and a newline: not X12 at all


def _peer_files() -> list[str]:
    if not PEERS.is_dir():
        return []
    return sorted(str(p.relative_to(PEERS)) for p in PEERS.rglob("*")
                  if p.is_file() and p.name not in NOT_X12
                  and p.suffix.lower() not in NOT_X12_SUFFIXES)


FILES = _peer_files()
needs_corpus = pytest.mark.skipif(not PEERS.is_dir(), reason=f"peer corpus not found at {PEERS} "
                                  "(expected at ../shared/corpus/peers next to the repository)")


def peer(relative: str) -> Path:
    path = PEERS / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in the peer corpus at {PEERS}")
    return path


@needs_corpus
def test_the_corpus_holds_files():
    assert len(FILES) >= 30
    assert any(f.startswith("tigershark/") for f in FILES)
    assert any(f.startswith("imsweb-x12-parser/") for f in FILES)


@needs_corpus
@pytest.mark.parametrize("relative", [f for f in FILES if f not in UNREADABLE] or ["<none>"])
def test_peer_file_is_read_without_a_traceback(relative):
    path = peer(relative)
    diagnostics = Diagnostics()
    segments = list(read_segments(path, diagnostics=diagnostics))
    assert segments, "no segment read"
    assert [s.index for s in segments] == list(range(1, len(segments) + 1))
    lines = [s.line for s in segments]
    assert lines == sorted(lines) and lines[0] >= 1
    offsets = [s.offset for s in segments]
    assert offsets == sorted(set(offsets))
    data = path.read_bytes()
    for s in segments:  # every position points at the segment's tag
        assert data[s.offset:s.offset + len(s.tag)] == s.tag.encode(), (s.index, s.tag)
    assert all(d.file == str(path) for d in diagnostics)

    reader = ClaimReader(path)
    claims = list(reader.claims())
    stats = reader.stats
    clm_segments = sum(1 for s in segments if s.tag == "CLM")
    assert stats.claims == clm_segments
    assert len(claims) == stats.claims_read
    assert stats.claims == stats.claims_read + stats.claims_skipped + stats.claims_unreadable
    assert stats.service_lines == sum(1 for s in segments if s.tag in ("SV1", "SV2"))


@needs_corpus
@pytest.mark.parametrize("relative", [f for f in FILES if f not in UNREADABLE] or ["<none>"])
def test_peer_file_chunking_does_not_change_segments(relative):
    path = peer(relative)
    reference = list(Tokenizer(path).segments())
    assert list(Tokenizer(path, chunk_size=1000).segments()) == reference


@needs_corpus
@pytest.mark.parametrize("relative", sorted(UNREADABLE))
def test_not_x12_raises_x12readerror(relative):
    path = peer(relative)
    with pytest.raises(X12ReadError) as info:
        list(read_segments(path))
    assert str(path) in str(info.value)
    with pytest.raises(X12ReadError):
        list(read_claims(path))


# -- known facts -----------------------------------------------------------------------------


@needs_corpus
def test_imsweb_312_interchanges():
    path = peer("imsweb-x12-parser/837_5010/x12_multiple_transactions.txt")
    reader = X12Reader(path)
    segments = list(reader.segments())
    assert reader.interchanges == 312
    assert sum(1 for s in segments if s.tag == "ISA") == 312
    assert sum(1 for s in segments if s.tag == "IEA") == 312
    claims = ClaimReader(path)
    list(claims.claims())
    assert claims.stats.interchanges == 312


@needs_corpus
def test_imsweb_different_separators_read_like_the_standard_file():
    standard = peer("imsweb-x12-parser/837_5010/x12_valid.txt")
    odd = peer("imsweb-x12-parser/837_5010/x12_valid_different_separators.txt")
    tokenizer = Tokenizer(odd)
    odd_segments = list(tokenizer.segments())
    assert (tokenizer.delimiters.element, tokenizer.delimiters.component,
            tokenizer.delimiters.segment) == ("~", "^", "_")
    std_segments = list(Tokenizer(standard).segments())
    assert [s.tag for s in odd_segments] == [s.tag for s in std_segments]
    assert [s.elements for s in odd_segments[1:]] == [
        tuple(e.replace(":", "^") for e in s.elements) for s in std_segments[1:]]

    def comparable(path):
        claims = list(read_claims(path))
        for claim in claims:
            claim.envelope.file = "-"
        return claims

    expected = comparable(standard)
    assert len(expected) == 2
    assert [c.claim_id for c in expected] == ["A37YH556", "A37YH667"]
    assert comparable(odd) == expected


@needs_corpus
@pytest.mark.parametrize(("relative", "claims", "kind"), [
    ("tigershark/837-example.txt", 1, "837P"),
    ("tigershark/837I-Examples.txt", 2, "837I"),
    ("tigershark/837I-Patient-NotSubscriber.txt", 1, "837I"),
    ("tigershark/837I-Patient-Subscriber.txt", 1, "837I"),
])
def test_tigershark_4010_files_yield_claims(relative, claims, kind):
    path = peer(relative)
    read = list(read_claims(path))
    assert len(read) == claims
    assert {c.transaction_type for c in read} == {kind}
    assert all(c.lines for c in read)
    assert all(c.envelope.implementation.startswith("004010") for c in read)
    procedures = [line.procedure_code or line.revenue_code for c in read for line in c.lines]
    assert all(procedures)


@needs_corpus
def test_tigershark_oddities_are_warned_about():
    diagnostics = Diagnostics()
    list(read_segments(peer("tigershark/835-example.txt"), diagnostics=diagnostics))
    assert "X109" in {d.code for d in diagnostics}  # "\n~SEG"
    diagnostics = Diagnostics()
    list(read_segments(peer("tigershark/837-example.txt"), diagnostics=diagnostics))
    assert "X106" in {d.code for d in diagnostics}  # collapsed ISA padding


@needs_corpus
def test_kw_75_claims():
    path = peer("kw-x12-parser/edi_sample_75_claims.txt")
    claims = list(read_claims(path))
    assert len(claims) == 75
    assert len({c.claim_id for c in claims}) == 75
    assert all(c.billing_npi and c.member_id and c.payer_id for c in claims)


@needs_corpus
def test_files_without_an_isa_are_read():
    diagnostics = Diagnostics()
    reader = X12Reader(peer("edi-835-parser/blue_cross_nc_sample.txt"), diagnostics=diagnostics)
    segments = list(reader.segments())
    assert segments[0].tag == "ST"
    assert reader.interchanges == 0 and reader.transactions == 1
    assert "X104" in {d.code for d in diagnostics}
    claims = list(read_claims(peer("imsweb-x12-parser/837_5010/x12_no_isa_line.txt")))
    assert len(claims) == 2


@needs_corpus
def test_several_interchanges_and_groups():
    reader = X12Reader(peer("imsweb-x12-parser/837_5010/x12_multiple_isa.txt"))
    list(reader.segments())
    assert reader.interchanges == 2
    reader = X12Reader(peer("imsweb-x12-parser/837_5010/x12_multiple_gs.txt"))
    list(reader.segments())
    assert (reader.interchanges, reader.groups) == (1, 3)


@needs_corpus
@pytest.mark.parametrize("relative", [f for f in FILES if f not in UNREADABLE] or ["<none>"])
def test_peer_hcpcs_filter_keeps_exactly_the_claims_holding_the_code(relative):
    path = peer(relative)
    everything = list(read_claims(path))
    codes = sorted({ln.procedure_code for c in everything for ln in c.lines if ln.procedure_code})
    if not codes:
        pytest.skip(f"{relative} has no service line with a procedure code")
    reference = ClaimReader(path)
    list(reference.claims())
    for code in codes[:2]:
        reader = ClaimReader(path, hcpcs=code)
        kept = list(reader.claims())
        assert kept == [c for c in everything if any(ln.procedure_code == code for ln in c.lines)]
        assert reader.stats.claims == reference.stats.claims
        assert reader.stats.service_lines == reference.stats.service_lines
        assert reader.stats.matched_lines == sum(
            1 for c in everything for ln in c.lines if ln.procedure_code == code)


@needs_corpus
@pytest.mark.parametrize(("relative", "claims", "recovered"), [
    ("imsweb-x12-parser/837_5010/x12_many_claims.txt", 820, 410),
    ("imsweb-x12-parser/837_5010/x12_multiple_transactions.txt", 624, 312),
    ("imsweb-x12-parser/837_5010/x12_complex.txt", 6, 2)])
def test_imsweb_hl_with_a_missing_parent_keeps_the_billing_npi(relative, claims, recovered):
    # imsweb's files carry HL*2*3*22*1 with no HL 3: the subscriber loop is read under the
    # billing provider (X301), so no claim loses its billing NPI (410 of 820 did before).
    diagnostics = Diagnostics()
    read = list(read_claims(peer(relative), diagnostics=diagnostics))
    assert len(read) == claims
    assert [c.claim_id for c in read if not c.billing_npi] == []
    assert sum(1 for d in diagnostics if d.code == "X301") == recovered
