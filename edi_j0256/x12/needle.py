"""Needle-first reading: claims without the wanted codes passed over without Python work each.

When only claims holding some codes are read (``skip_unless={"CLM": needles}``), most of a
claim file is claims and HL loops nobody builds. The boundary regex of the tokenizer still
costs a Python-level step per unit, and the claim reader one more per HL. In the two regular
layouts (one segment per line with LF right after each terminator, or all on one line: no CR,
no whitespace next to a terminator, no empty segment) this module reads a stretch of units
with a few C-speed passes instead:

- one ``findall`` of :func:`_items_pattern` visits every terminator once: it returns the
  boundary segments (``CLM``, ``HL`` with its elements, envelope tags), the rare tallied
  variants, and anything irregular after a terminator (which hands the rest of the buffer
  to the tokenizer's general loop, with identical results);
- one ``bytes.count`` tallies the first tallied tag (``SV1``);
- the needle hits (found once per buffer by the tokenizer) name the only claims cut out and
  built, with ``rfind`` bounded by the stretch start.

The HL loops of a stretch are handed on as one :class:`Run` (their elements, raw); the
reader follows the hierarchy from them and asks a run for an HL's :class:`Unit` only when a
claim under it is built, or a diagnostic names it. Envelope units are handed on as units, so
the envelope checks see them unchanged. Every search moves forward from the stretch start,
so cost stays linear; positions are the region's counts, as on the general path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from edi_j0256.x12.tokenizer import Delimiters, Unit, _count_tags, _Region

try:
    import cython
except ImportError:  # no Cython: plain Python, with the stand-in of what is used of it
    from edi_j0256 import _cython_shim as cython

if cython.compiled:
    from cython.cimports.libc.string import memchr

RUN_TAG = "HL run"  # the tag of a Run in the unit stream
_STRETCH = 1 << 17  # bytes read per findall when no hit comes sooner
_ENVELOPE = (b"SE", b"ST", b"GS", b"GE", b"IEA", b"ISA")


class Run:
    """The HL loops of one stretch, in file order, with their elements unsplit.

    ``items[i][skip:]`` is the i-th HL's text after ``HL`` and its element separator
    (``b"1**20*1"``). :meth:`unit` finds an HL's bytes again when they are needed.
    """

    __slots__ = ("items", "skip", "delimiters", "_region", "_pattern", "start", "end",
                 "_first", "_lead", "_unique")

    tag = RUN_TAG
    continued = False
    piece = False

    def __init__(self, items: list[bytes], skip: int, delimiters: Delimiters, region: _Region,
                 pattern: re.Pattern[bytes], start: int, end: int, first: bool, lead: bytes):
        self.items, self.skip, self.delimiters = items, skip, delimiters
        self._region, self._pattern = region, pattern
        self.start, self.end = start, end  # the stretch: units starting in [start, end)
        self._first = first  # items[0] is the unit at ``start`` (its terminator may be gone)
        self._lead = lead
        self._unique: bool | None = None

    def unit(self, i: int) -> Unit:
        """The i-th HL as a unit (found by its text; by counting when texts repeat)."""
        start = self.start if (i == 0 and self._first) else self._find(i)
        end = self._pattern.search(self._region.buffer, start, self.end)
        return Unit("HL", start, end.end() if end else self.end, self.delimiters, self._region)

    def _find(self, i: int) -> int:
        buffer = self._region.buffer
        terminator = self.delimiters.segment.encode("latin-1")
        if self._unique is None:
            self._unique = len(set(self.items)) == len(self.items)
        if self._unique:
            at = buffer.find(terminator + self.items[i] + terminator, self.start, self.end)
            return at + len(terminator) + len(self._lead)
        # repeated texts: walk the HL boundaries in order (rare: ids are unique in practice)
        needle = terminator + self._lead + b"HL"
        marks = (self.delimiters.element.encode("latin-1"), terminator)
        ordinal, at = (1 if self._first else 0), self.start
        while True:
            at = buffer.find(needle, at, self.end)
            if at < 0:
                raise LookupError(f"HL {i} of a run not found")  # the run's items say it is
            if buffer[at + len(needle):at + len(needle) + 1] in marks:
                if ordinal == i:
                    return at + len(terminator) + len(self._lead)
                ordinal += 1
            at += 1


def _items_pattern(d: Delimiters, lead: bytes, tally: tuple[str, ...]) -> re.Pattern[bytes]:
    """After every terminator: a boundary or tallied-variant segment (captured with its lead),
    or one irregular character (captured); nothing for any other segment."""
    t, e = re.escape(d.segment.encode("latin-1")), re.escape(d.element.encode("latin-1"))
    after = b"(?=" + e + b"|" + t + b")"  # looked at, not taken: the next terminator stays
    kinds = [b"CLM" + after, b"HL(?=" + e + b"|" + t + b")[^" + t + b"]*",
             rb"(?:S[ET]|G[SE]|IEA)" + after, b"ISA(?!" + t + rb")[^A-Za-z0-9\s]"]
    for n, tag in enumerate(tally):  # the first tag's usual form is counted with bytes.count
        kinds.append(re.escape(tag.encode()) + (b"(?=" + t + b")" if n == 0 else after))
    ws = b"[ \\t\\r\\n" + t + b"]"
    irregular = {b"": ws, b"\n": b"[^\\n]|\\n" + ws,
                 b"\r\n": b"[^\\r]|\\r[^\\n]|\\r\\n" + ws}[lead]
    # Most segments are none of these: a lookahead rejects them on their first bytes (a
    # third faster): tags whose first letter no kind starts with, and a few common tags.
    starts = [b"CLM", b"HL", b"SE", b"ST", b"GS", b"GE", b"IEA", b"ISA"] + [
        tag.encode() for tag in tally]
    first = {s[:1] for s in starts}
    others = bytes(c for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if bytes([c]) not in first)
    common = [re.escape(x) for x in (b"SBR", b"HI", b"CTP") if all(x[:2] != s[:2] for s in starts)]
    if tally:
        common.append(re.escape(tally[0].encode()) + e)
    skip = b"(?!" + re.escape(lead) + b"(?:[" + others + b"]|" + b"|".join(common) + b"))"
    return re.compile(t + skip + b"(" + re.escape(lead) + b"(?:" + b"|".join(kinds) + b")|"
                      + irregular + b")")


class NeedleScan:
    """One pass of the needle path over one buffer of one interchange (see the module doc).

    Built by the tokenizer, which it reads and updates (tallies, skipped claims); iterate
    :meth:`units`, then read :attr:`stop` (where the general loop takes over) and
    :attr:`stop_tag`.
    """

    def __init__(self, tokenizer, buffer: bytes, pos: int, state, hits: list[int],
                 first_hit: bool):
        d = tokenizer.delimiters
        self.tokenizer, self.buffer = tokenizer, buffer
        # positions on this path come from its own region: no empty segment is in its reach
        self.region = _Region(tokenizer.name, buffer, state.offset, pos, state.index,
                              state.line, d.segment.encode("latin-1"), None,
                              newlines=buffer.find(b"\n", pos) >= 0)
        self.delimiters = d
        self.t = d.segment.encode("latin-1")
        self.e = d.element.encode("latin-1")
        first = buffer.find(self.t, pos)
        # the lead after each terminator: LF, CR LF (unless CR or LF terminates) or none
        after = buffer[first + 1:first + 3]
        self.lead = (b"" if self.t == b"\n" else b"\n" if after[:1] == b"\n" else
                     b"\r\n" if after == b"\r\n" and self.t != b"\r" else b"")
        self.sep = self.t + self.lead
        key = (d, self.lead, tokenizer.tally)
        items = tokenizer._items.get(key)
        if items is None:
            items = tokenizer._items[key] = _items_pattern(d, self.lead, tokenizer.tally)
        self.items = items
        self.hits, self.first_hit = hits, first_hit
        self.stop, self.stop_tag = pos, state.tag
        self.hit = 0

    # -- the loop ---------------------------------------------------------------------------

    def units(self) -> Iterator[Unit | Run]:
        at, tag = self.stop, self.stop_tag
        pattern, tags = self.tokenizer._pattern, self.tokenizer._tags
        buffer, region, d = self.buffer, self.region, self.delimiters
        start = at
        while True:
            self.stop, self.stop_tag = at, tag
            if tag not in ("HL", "CLM"):  # an envelope unit, handed on as it is
                if tag == "ISA" and at != start:
                    return  # a new interchange: the tokenizer reads its delimiters
                match = pattern.search(buffer, at)
                if match is None or not self._aligned(match.end()):
                    return
                end = match.end()
                if self.items.search(buffer, at, end - len(self.sep) + 1) is not None:
                    return  # a boundary or something irregular inside it
                self._tally(at, end)
                yield Unit(tag, at, end, d, region)
                at, tag = end, tags[match[1] or match[2]]
                continue
            target = self._target(at, tag, start)
            if target is None:
                return
            c, claim_end, after = target  # claim_end < 0: no claim, c only ends a stretch
            if claim_end >= 0 and not self._aligned(claim_end):
                return
            done = self._stretch(at, tag, claim_end if claim_end >= 0 else c, after,
                                 c if claim_end >= 0 else -1)
            if done is None:
                return
            run, stop, stop_tag = done
            if run is not None:
                yield run
            if claim_end >= 0 and stop == claim_end:  # the claim holding a hit, cut out
                yield Unit("CLM", c, claim_end, d, region)
            at, tag = stop, stop_tag

    def _tally(self, start: int, end: int) -> None:
        """Tally the segments of a unit handed on whole (the general rule, by regex)."""
        tokenizer = self.tokenizer
        for name in tokenizer.tally:
            tokenizer.tallies[name] += _count_tags(self.buffer, start, end - len(self.sep) + 1,
                                                   self.delimiters, name)

    def _aligned(self, end: int) -> bool:
        """Whether the boundary ending at ``end`` is exactly the separator (no whitespace)."""
        sep = self.sep
        return self.buffer.startswith(sep, end - len(sep)) and (
            len(sep) == 1 or self.buffer[end - len(sep) - 1:end - len(sep)] != self.t)

    # -- finding the next claim to build ------------------------------------------------------

    def _target(self, at: int, tag: str, start: int) -> tuple[int, int, str] | None:
        """(start, end, tag after it) of the next claim from the unit at ``at`` on that holds
        a hit; or (a boundary, -1, its tag) where a stretch without one stops; None to stop."""
        buffer, hits = self.buffer, self.hits
        while self.hit < len(hits) and hits[self.hit] < at:
            self.hit += 1
        if self.first_hit and at == start and tag == "CLM":
            self.first_hit = False  # the unit carried from the last buffer holds a hit
            return self._claim_at(at)
        limit = min(at + _STRETCH, len(buffer))
        searched, last_clm = at, -1  # CLM boundaries in [at, searched) are known: last_clm
        while self.hit < len(hits) and hits[self.hit] < limit:
            h = hits[self.hit]
            # each byte is searched for CLM once, however many hits lie outside claims
            clm = self._last(b"CLM", max(at, searched - len(self.sep) - 3), h)
            clm = last_clm = clm if clm >= 0 else last_clm
            searched = h
            hl = self._last(b"HL", max(at, clm), h)  # only an HL after that claim matters
            found = None
            if clm < 0 and hl < 0 and tag == "CLM":
                found = self._claim_at(at)
            elif clm > hl:
                found = self._claim_at(clm + len(self.sep))
            if found is None and (clm > hl or (hl < 0 and tag == "CLM")):
                return None  # the claim runs past the buffer
            if found is not None and found[1] > h:
                return found
            self.hit += 1  # a hit outside any claim (in an HL loop or an envelope unit)
        clm = self._last(b"CLM", at, limit)
        hl = self._last(b"HL", at, limit)
        if clm < 0 and hl < 0:  # one unit larger than a stretch: up to its end
            match = self.tokenizer._pattern.search(buffer, at)
            if match is None:
                return None
            return match.end(), -1, self.tokenizer._tags[match[1] or match[2]]
        if clm > hl:
            return clm + len(self.sep), -1, "CLM"
        return hl + len(self.sep), -1, "HL"

    def _claim_at(self, c: int) -> tuple[int, int, str] | None:
        match = self.tokenizer._pattern.search(self.buffer, c)
        if match is None:
            return None
        return c, match.end(), self.tokenizer._tags[match[1] or match[2]]

    def _last(self, tag: bytes, lo: int, hi: int) -> int:
        """The terminator of the last ``tag`` boundary that starts in ``(lo, hi)``, or -1."""
        buffer, needle = self.buffer, self.sep + tag
        marks = (self.e, self.t)
        at = buffer.rfind(needle, lo, hi)
        while at >= 0 and buffer[at + len(needle):at + len(needle) + 1] not in marks:
            at = buffer.rfind(needle, lo, at)
        return at

    # -- a stretch of units nobody builds ---------------------------------------------------

    def _stretch(self, at: int, tag: str, end: int, end_tag: str, claim: int
                 ) -> tuple[Run | None, int, str] | None:
        """Count and hand on the units starting in ``[at, end)``: claims are skipped (all but
        the one starting at ``claim``, which the caller hands on), HL loops go to a Run.
        Returns (run, where it stopped, the tag there): ``end``, or an envelope boundary
        before it; None when something irregular is in it."""
        buffer, t, lead, sep, e = self.buffer, self.t, self.lead, self.sep, self.e
        tokenizer = self.tokenizer
        items = self._findall(at, end - len(sep) + 1)
        clm = lead + b"CLM"
        claims = items.count(clm)
        heads = list(filter(clm.__ne__, items)) if claims else items
        stop, stop_tag = end, end_tag
        tallied = dict.fromkeys(tokenizer.tally, 0)
        hl = lead + b"HL"
        if heads and not (min(heads) >= hl and max(heads) < lead + b"HM"):
            claims, heads = 0, []  # not only claims and HL loops: item by item
            for n, item in enumerate(items):
                body = item[len(lead):] if item.startswith(lead) else b"?"
                if body == b"CLM":
                    claims += 1
                elif body[:2] == b"HL":
                    heads.append(item)
                elif body[:2] in _ENVELOPE or body[:3] in _ENVELOPE:
                    stop = self._envelope_at(at, end, items, n)
                    if stop < 0:
                        return None
                    stop_tag = _tag_of(body)
                    break
                else:
                    name = body.decode("latin-1") if body.decode("latin-1") in tallied else None
                    if name is None:
                        return None  # irregular: the general loop reads it
                    tallied[name] += 1
        first = tag == "HL"
        if first:
            head_end = buffer.find(t, at, stop)
            heads.insert(0, lead + buffer[at:head_end if head_end >= 0 else stop])
        else:
            claims += 1
        if stop == end and claim >= 0:
            claims -= 1  # the claim holding a hit is read, not skipped
        if tokenizer.tally:
            name = tokenizer.tally[0]
            tallied[name] += buffer.count(sep + name.encode() + e, at, stop - len(sep) + 1)
        for name, n in tallied.items():
            tokenizer.tallies[name] += n
        tokenizer.skipped["CLM"] += claims
        run = (Run(heads, len(lead) + 3, self.delimiters, self.region, tokenizer._pattern, at,
                   stop, first, lead) if heads else None)
        return run, stop, stop_tag

    def _findall(self, start: int, end: int) -> list[bytes]:
        """``self.items.findall(buffer, start, end)``; when compiled, the same list from one
        typed pass (:func:`_typed_items`) for ASCII delimiters and at most two tallied
        tags."""
        tally = self.tokenizer.tally
        if cython.compiled and len(self.t) == 1 and len(self.e) == 1 and (
                self.t[0] < 128 and self.e[0] < 128 and len(tally) <= 2
                and all(name for name in tally)):
            return _typed_items(self.buffer, start, min(end, len(self.buffer)), self.t[0],
                                self.e[0], len(self.lead),
                                [name.encode() for name in tally])
        return self.items.findall(self.buffer, start, end)

    def _envelope_at(self, at: int, end: int, items: list[bytes], n: int) -> int:
        """Where the unit of ``items[n]`` (an envelope segment) starts: the n-th match."""
        for k, match in enumerate(self.items.finditer(self.buffer, at, end - len(self.sep) + 1)):
            if k == n:
                return match.start() + len(self.sep) if match.group(1) == items[n] else -1
        return -1


def _tag_of(body: bytes) -> str:
    return body[:3].decode() if body[:3] in (b"IEA", b"ISA") else body[:2].decode()


def _typed_items(buffer: bytes, start: int, end: int, terminator: int, element: int,
                 lead: int, tally: list[bytes]) -> list[bytes]:
    """What :func:`_items_pattern`'s ``findall`` over ``buffer[start:end]`` returns, as one
    typed pass when compiled (ASCII delimiters; ``lead``: the lead's length, 1 for LF, 2
    for CR LF, 0 for none).

    After each terminator (in order, a match's text consumed as the regex consumes it): the
    lead and a boundary tag (``CLM``, ``HL`` with the rest of its segment, ``SE``, ``ST``,
    ``GS``, ``GE``, ``IEA`` before an element separator or terminator; ``ISA`` and a
    delimiter-like character), a tallied tag (the first only before a terminator), else
    an irregular character (with a lead: anything that does not start it, or a part of
    it and what breaks it off, or the lead and whitespace or a terminator; without:
    whitespace or a terminator). Nothing is read at or past ``end``.
    Only called when compiled."""
    p: cython.p_char = buffer
    t: cython.char = terminator
    e: cython.char = element
    width: cython.Py_ssize_t = lead
    names = [*tally, b"", b""]  # at most two tallied tags (the caller's condition)
    first_tag: bytes = names[0]
    second_tag: bytes = names[1]
    q0: cython.p_char = first_tag
    q1: cython.p_char = second_tag
    n0: cython.Py_ssize_t = len(first_tag)
    n1: cython.Py_ssize_t = len(second_tag)
    i: cython.Py_ssize_t = start
    stop: cython.Py_ssize_t = end
    j: cython.Py_ssize_t
    k: cython.Py_ssize_t
    m: cython.Py_ssize_t
    r: cython.Py_ssize_t
    led: cython.Py_ssize_t
    c: cython.char
    d: cython.char
    out: list = []
    hit: cython.p_char
    while i < stop:
        hit = cython.cast(cython.p_char, memchr(p + i, t, stop - i))  # the next terminator
        if hit == cython.NULL:
            break
        i = hit - p
        j = i + 1  # the group starts here
        led = 0  # how much of the lead (LF, or CR LF) follows the terminator
        while led < width and j + led < stop and p[j + led] == (10 if led == width - 1 else 13):
            led += 1
        k = j + width  # the tag starts here
        m = -1
        if k < stop and led == width:
            c = p[k]
            if c == 67 and k + 3 < stop and p[k + 1] == 76 and p[k + 2] == 77:  # CLM
                d = p[k + 3]
                if d == e or d == t:
                    m = k + 3
            elif c == 72 and k + 2 < stop and p[k + 1] == 76:  # HL, to its terminator
                d = p[k + 2]
                if d == e or d == t:
                    m = k + 2
                    while m < stop and p[m] != t:
                        m += 1
            elif k + 2 < stop and ((c == 83 and (p[k + 1] == 69 or p[k + 1] == 84))
                                   or (c == 71 and (p[k + 1] == 83 or p[k + 1] == 69))):
                d = p[k + 2]  # SE, ST, GS, GE
                if d == e or d == t:
                    m = k + 2
            elif c == 73 and k + 3 < stop and p[k + 1] == 69 and p[k + 2] == 65:  # IEA
                d = p[k + 3]
                if d == e or d == t:
                    m = k + 3
            if m < 0 and c == 73 and k + 3 < stop and p[k + 1] == 83 and p[k + 2] == 65:
                d = p[k + 3]  # ISA and one character that is not text, space or terminator
                if d != t and not (48 <= d <= 57 or 65 <= d <= 90 or 97 <= d <= 122
                                   or d == 32 or 9 <= d <= 13):
                    m = k + 4
            if m < 0 and n0 and c == q0[0] and k + n0 < stop:  # the first tallied tag
                r = 1
                while r < n0 and p[k + r] == q0[r]:
                    r += 1
                if r == n0 and p[k + n0] == t:
                    m = k + n0
            if m < 0 and n1 and c == q1[0] and k + n1 < stop:  # the second
                r = 1
                while r < n1 and p[k + r] == q1[r]:
                    r += 1
                if r == n1 and (p[k + n1] == t or p[k + n1] == e):
                    m = k + n1
        if m >= 0:
            out.append(buffer[j:m])
            i = m
            continue
        # the irregular characters: a part of the lead and a byte that breaks it off, or
        # the whole lead (none, LF, CR LF) and whitespace or a terminator
        if j + led < stop:
            d = p[j + led]
            if led < width or d == 32 or d == 9 or d == 13 or d == 10 or d == t:
                out.append(buffer[j:j + led + 1])
                i = j + led + 1
                continue
        i += 1
    return out
