"""Versions of one claim: which 837 claim of a correction chain the totals count.

A replacement (CLM05-3 7) or a void (8) names in 2300 REF*F8 the payer's claim control number
(CLP07) of the claim it corrects. Its original is the claim that adjudication went to (the
``clp_links`` of :mod:`.link`, same payee); when no such 835 is on file, the latest claim
loaded before it with the same CLM01, billing provider, payer and member that is not a void.
The claims so chained are versions of one claim. The totals count one version: the latest
the payer adjudicated (any 835 linked to it), else the latest on file. Earlier versions are
``replaced`` (their denials are no longer open); later ones wait for their adjudication.

Filled after linking, as indexed queries into TEMP tables of the store connection:
``temp.uncounted`` holds every version the totals leave out (claims in no chain are counted).
"""

from __future__ import annotations

from edi_j0256.reconcile.store import ReconcileStore

CORRECTIONS = ("7", "8")
VOID = "8"

TEMP_SCHEMA = """
DROP TABLE IF EXISTS temp.corrects;
DROP TABLE IF EXISTS temp.uncounted;
CREATE TEMP TABLE corrects (file_id INTEGER, claim_segment INTEGER, original_file_id INTEGER,
    original_segment INTEGER, PRIMARY KEY (file_id, claim_segment));
CREATE INDEX temp.corrects_original ON corrects (original_file_id, original_segment);
CREATE TEMP TABLE uncounted (file_id INTEGER, claim_segment INTEGER, replaced INTEGER,
    PRIMARY KEY (file_id, claim_segment));
"""

# every chain from its first version down, with each version's depth; the version counted is
# the deepest adjudicated one (else the deepest), ties to the latest loaded; the versions
# before it in that order are replaced, those after it (not adjudicated yet) are not
COUNT = """
WITH RECURSIVE chain (root_file, root_segment, file_id, claim_segment, depth) AS (
    SELECT DISTINCT original_file_id, original_segment, original_file_id, original_segment, 0
    FROM corrects o WHERE NOT EXISTS (SELECT 1 FROM corrects c WHERE c.file_id =
        o.original_file_id AND c.claim_segment = o.original_segment)
    UNION ALL
    SELECT chain.root_file, chain.root_segment, c.file_id, c.claim_segment, chain.depth + 1
    FROM corrects c JOIN chain ON c.original_file_id = chain.file_id
        AND c.original_segment = chain.claim_segment
),
ranked AS (
    SELECT chain.*, EXISTS (SELECT 1 FROM clp_links l WHERE l.claim_file_id = chain.file_id
        AND l.claim_claim_segment = chain.claim_segment) AS adjudicated
    FROM chain
),
chosen AS (
    SELECT root_file, root_segment, file_id, claim_segment, depth, row_number() OVER (
        PARTITION BY root_file, root_segment
        ORDER BY adjudicated DESC, depth DESC, file_id DESC, claim_segment DESC) AS rank
    FROM ranked
)
INSERT INTO uncounted
SELECT v.file_id, v.claim_segment,
    (v.depth, v.file_id, v.claim_segment) < (c.depth, c.file_id, c.claim_segment)
FROM chosen v JOIN chosen c ON c.root_file = v.root_file AND c.root_segment = v.root_segment
    AND c.rank = 1
WHERE v.rank > 1
"""


def _original(store: ReconcileStore, claim: tuple) -> tuple[int, int] | None:
    """The claim a replacement or void corrects: by its REF*F8 (the CLP07 an 835 paid it
    under), else the latest earlier claim of the same patient control number and parties."""
    file_id, segment, claim_id, npi, payer, member, reference = claim
    if reference:
        row = store.db.execute(
            "SELECT claim_file_id, claim_claim_segment FROM clp_links WHERE control = ? "
            "AND (payee IS NULL OR ? IS NULL OR payee = ?) AND status IS NOT '22' "
            "AND NOT (claim_file_id = ? AND claim_claim_segment = ?) "
            "ORDER BY ordinal DESC LIMIT 1",
            (reference, npi, npi, file_id, segment)).fetchone()
        if row:
            return tuple(row)
    row = store.db.execute(
        "SELECT file_id, claim_segment FROM claim_lines WHERE claim_id = ? "
        "AND billing_npi IS ? AND payer_id IS ? AND member_id IS ? "
        "AND frequency_code IS NOT ? AND (file_id < ? OR (file_id = ? AND claim_segment < ?)) "
        "ORDER BY file_id DESC, claim_segment DESC LIMIT 1",
        (claim_id, npi, payer, member, VOID, file_id, file_id, segment)).fetchone()
    return tuple(row) if row else None


def count_versions(store: ReconcileStore) -> None:
    """Chain the corrected claims and fill ``temp.uncounted`` (after :func:`.link.link`)."""
    db = store.db
    for statement in TEMP_SCHEMA.split(";"):  # not executescript: it would commit
        if statement.strip():
            db.execute(statement)
    corrections = db.execute(
        "SELECT DISTINCT file_id, claim_segment, claim_id, billing_npi, payer_id, member_id, "
        "original_reference FROM claim_lines WHERE frequency_code IN (?, ?) "
        "ORDER BY file_id, claim_segment", CORRECTIONS)
    while rows := corrections.fetchmany(500):
        edges = [(row[0], row[1], *original) for row in rows
                 if (original := _original(store, row)) is not None]
        db.executemany("INSERT OR IGNORE INTO corrects VALUES (?, ?, ?, ?)", edges)
    db.execute(COUNT)
