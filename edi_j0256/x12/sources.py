"""Opening an input: a plain file, a gzip file, or one member of a zip archive.

Every reader opens its input through :func:`open_source`, so every command reads ``.gz``
files and zip members transparently, and refuses in one line what would block a batch or is
not a file at all (a FIFO, a device, a socket, a folder). A zip member is named
``archive.zip!member.x12``; :func:`expand_sources` turns folders and archives given on a
command line into those names.
"""

from __future__ import annotations

import gzip
import os
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from edi_j0256.diagnostics import X12ReadError

MEMBER_SEPARATOR = "!"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_REFUSED_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISDIR, "a folder"))


def refusal_reason(mode: int) -> str | None:
    """Why a path whose ``st_mode`` is ``mode`` is refused without being opened, in one line
    (``is a FIFO (named pipe), not a file``), or ``None`` when it may be opened.

    A FIFO, a device or a socket could block a batch or never end, and a folder holds no X12
    of its own; every place that refuses such a path says so in these words.

    >>> refusal_reason(stat.S_IFIFO | 0o644)
    'is a FIFO (named pipe), not a file'
    >>> refusal_reason(stat.S_IFREG | 0o644) is None
    True
    """
    for test, words in _REFUSED_KINDS:
        if test(mode):
            return f"is {words}, not a file"
    return None


def _split_member(name: str) -> tuple[str, str | None]:
    """``a.zip!b.x12`` -> (``a.zip``, ``b.x12``) when ``a.zip`` is a file; else (name, None)."""
    if MEMBER_SEPARATOR in name and not os.path.exists(name):
        archive, _, member = name.partition(MEMBER_SEPARATOR)
        if os.path.isfile(archive):
            return archive, member
    return name, None


def _check_regular(path: str, name: str) -> None:
    """Refuse, without opening it, a path that is not a regular file (never block on a FIFO)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError as exc:
        raise X12ReadError(name, "no such file") from exc
    except OSError as exc:
        raise X12ReadError(name, f"cannot open: {exc.strerror or exc}") from exc
    reason = refusal_reason(mode)
    if reason is not None:
        raise X12ReadError(name, f"{reason}: not read")


def open_source(source: str | Path, name: str | None = None) -> BinaryIO:
    """A binary stream of the X12 bytes of ``source``, decompressed when it is gzip.

    Raises :class:`X12ReadError` (one line naming the input) when it cannot be read.
    """
    name = name or str(source)
    path, member = _split_member(str(source))
    _check_regular(path, name)
    try:
        stream: BinaryIO = open(path, "rb")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise X12ReadError(name, f"cannot open: {exc.strerror or exc}") from exc
    try:
        magic = stream.read(4)
        stream.seek(0)
        if member is not None:
            return _open_member(stream, member, name)
        if magic.startswith(_GZIP_MAGIC):
            return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
        if magic == _ZIP_MAGIC:
            raise X12ReadError(name, "is a zip archive: name its members as "
                               f"ARCHIVE{MEMBER_SEPARATOR}MEMBER (scan expands it itself)")
    except BaseException:
        stream.close()
        raise
    return stream


def _open_member(stream: BinaryIO, member: str, name: str) -> BinaryIO:
    try:
        archive = zipfile.ZipFile(stream)
        return _Member(archive.open(member), archive, stream)  # type: ignore[return-value]
    except KeyError as exc:
        raise X12ReadError(name, "no such member in the zip archive") from exc
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
        raise X12ReadError(name, f"cannot read the zip archive: {exc}") from exc


class _Member:
    """A zip member's stream that closes the archive and its file with it."""

    def __init__(self, member, archive: zipfile.ZipFile, stream: BinaryIO):
        self._member, self._archive, self._stream = member, archive, stream

    def read(self, size: int = -1) -> bytes:
        return self._member.read(size)

    def close(self) -> None:
        self._member.close()
        self._archive.close()
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_head(source: str | Path, size: int) -> bytes:
    """The first ``size`` bytes of the (decompressed) input."""
    stream = open_source(source)
    try:
        return read_checked(stream, size, str(source))
    finally:
        stream.close()


def read_checked(stream: BinaryIO, size: int, name: str) -> bytes:
    """``stream.read(size)``, with a damaged compressed stream reported as X12ReadError."""
    try:
        return stream.read(size)
    except (OSError, EOFError, zipfile.BadZipFile, ValueError) as exc:
        raise X12ReadError(name, f"cannot read: {exc}") from exc
    except Exception as exc:  # zlib.error and other decompressor failures
        raise X12ReadError(name, f"cannot read: {type(exc).__name__}") from exc


def expand_sources(paths: Iterable[str | Path]) -> list[str]:
    """Inputs as given, with every folder replaced by the files under it (sorted, recursive,
    hidden names left out) and every zip archive by its members (``archive.zip!member``)."""
    out: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                hidden = any(p.startswith(".") for p in found.relative_to(path).parts)
                if found.is_file() and not hidden:
                    out.extend(_members_or_self(str(found)))
        else:
            out.extend(_members_or_self(str(path)))
    return out


def _members_or_self(path: str) -> list[str]:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return [path]  # never opened here: the reader refuses it in one line
        with open(path, "rb") as stream:
            if stream.read(4) != _ZIP_MAGIC:
                return [path]
            names = [i.filename for i in zipfile.ZipFile(stream).infolist() if not i.is_dir()]
    except (OSError, zipfile.BadZipFile):
        return [path]  # the reader reports it in its own words
    return [f"{path}{MEMBER_SEPARATOR}{member}" for member in names] or [path]
