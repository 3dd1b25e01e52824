"""The zip container of PyTorch checkpoints: uncompressed records whose data start on 64-byte boundaries
(so that a reader can map them), data descriptors after each record, and zip64 end records."""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor

ALIGNMENT = 64
_LOCAL = struct.Struct("<IHHHHHIIIHH")  # local file header, 30 bytes
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # central directory entry, 46 bytes
_U32 = 0xFFFFFFFF
_BIG = 1 << 22  # records from this size on: their CRC is computed while they are written
_SYNC_EVERY = 1 << 24  # durable saves push each further 16 MiB to the disk while the next ones are written

_SUFFIX = (
    "This is an internal miniz error. If you are seeing this error, there is a high likelihood that your checkpoint "
    "file is corrupted. This can happen if the checkpoint was not saved properly, was transferred incorrectly, or "
    "the file was modified after saving."
)
CORRUPT = "PytorchStreamReader failed reading zip archive: failed finding central directory. " + _SUFFIX
INVALID = "invalid header or archive is corrupted. " + _SUFFIX


_CRC = []


def crc32(data) -> int:
    """CRC-32 of a buffer: ISA-L's (the ``fastcrc`` extra, several times faster) when installed, else zlib's."""
    if not _CRC:
        try:
            from isal.isal_zlib import crc32 as fast

            _CRC.append(fast)
        except ImportError:
            _CRC.append(zlib.crc32)
    return _CRC[0](data)


class ZipWriter:
    """Write records one after another to a binary file object, then the directory on ``close``."""

    def __init__(self, f, archive: str = "archive", sync_fd: int | None = None):
        self.f = f
        self.prefix = archive + "/"
        self.pos = 0
        self.entries = []  # (name bytes, crc, size, offset)
        self.sync_fd = sync_fd
        self._pool = None
        self._sync = None
        self._unsynced = 0

    def _threads(self):
        if self._pool is None:
            self._pool = ThreadPoolExecutor(2)
        return self._pool

    def write(self, name: str, data) -> None:
        """Append the record ``name`` holding ``data`` (bytes or any buffer)."""
        mv = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        size = len(mv)
        fname = (self.prefix + name).encode("utf-8")
        pad = -(self.pos + _LOCAL.size + len(fname) + 4) % ALIGNMENT
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        head = _LOCAL.pack(0x04034B50, 0, 0x0808, 0, 0, 0, 0, 0, 0, len(fname), len(extra))
        w = self.f.write
        w(head + fname + extra)
        offset = self.pos
        if size >= _BIG:  # zlib and the write both release the GIL: overlap them
            fut = self._threads().submit(crc32, mv)
            w(mv)
            crc = fut.result()
        else:
            if size:
                w(mv)
            crc = crc32(mv)
        if size >= _U32:
            desc = struct.pack("<IIQQ", 0x08074B50, crc, size, size)
        else:
            desc = struct.pack("<IIII", 0x08074B50, crc, size, size)
        w(desc)
        self.entries.append((fname, crc, size, offset))
        self.pos += len(head) + len(fname) + len(extra) + size + len(desc)
        if self.sync_fd is not None:
            self._unsynced += size
            if self._unsynced >= _SYNC_EVERY and (self._sync is None or self._sync.done()):
                self.f.flush()
                self._sync = self._threads().submit(os.fdatasync, self.sync_fd)
                self._unsynced = 0

    def finish(self) -> None:
        """Wait for background work (a disk flush in flight) and stop the helper threads."""
        if self._sync is not None:
            sync, self._sync = self._sync, None
            sync.result()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def close(self) -> None:
        """Write the central directory and the (zip64) end records."""
        cd_start = self.pos
        parts = []
        for fname, crc, size, offset in self.entries:
            z64 = b""
            s32, o32 = size, offset
            if size >= _U32:
                z64 += struct.pack("<QQ", size, size)
                s32 = _U32
            if offset >= _U32:
                z64 += struct.pack("<Q", offset)
                o32 = _U32
            extra = struct.pack("<HH", 1, len(z64)) + z64 if z64 else b""
            parts.append(
                _CENTRAL.pack(0x02014B50, 0, 0, 0x0808, 0, 0, 0, crc, s32, s32, len(fname), len(extra), 0, 0, 0, 0, o32)
                + fname
                + extra
            )
        cd = b"".join(parts)
        n = len(self.entries)
        z64_at = cd_start + len(cd)
        tail = (
            struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 45, 0, 0, n, n, len(cd), cd_start)
            + struct.pack("<IIQI", 0x07064B50, 0, z64_at, 1)
            + struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                min(n, 0xFFFF),
                min(n, 0xFFFF),
                min(len(cd), _U32),
                min(cd_start, _U32),
                0,
            )
        )
        self.f.write(cd + tail)
        self.pos += len(cd) + len(tail)


class ZipReader:
    """The records of a checkpoint archive: their names and where their data lie in the file."""

    def __init__(self, f):
        self.f = f
        try:
            self.zf = zipfile.ZipFile(f)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, struct.error, EOFError):
            raise RuntimeError(CORRUPT) from None
        if not infos:
            raise RuntimeError(CORRUPT)
        first = infos[0].filename
        self.prefix = first[: first.index("/") + 1] if "/" in first else ""
        self.infos = {i.filename[len(self.prefix) :]: i for i in infos if i.filename.startswith(self.prefix)}
        self._offsets = {}
        self._validate(infos)

    def _validate(self, infos):
        """Check every record's header and extent, as PyTorch's reader does when it opens an archive."""
        end = self.f.seek(0, 2)
        for info in infos:
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise RuntimeError("PytorchStreamReader failed reading zip archive: " + INVALID)
            name = info.filename[len(self.prefix) :]
            try:
                off = self.offset(name)
            except RuntimeError:
                off = -1
            if off is not None and (off < 0 or off + info.file_size > end):
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}: " + INVALID)

    def has(self, name: str) -> bool:
        return name in self.infos

    def _info(self, name):
        info = self.infos.get(name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        return info

    def size(self, name: str) -> int:
        return self._info(name).file_size

    def offset(self, name: str):
        """Where the record's data start in the file, or None for a compressed record."""
        info = self._info(name)
        if info.compress_type != zipfile.ZIP_STORED:
            return None
        off = self._offsets.get(name)
        if off is None:
            self.f.seek(info.header_offset)
            head = self.f.read(_LOCAL.size)
            if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}: file read failed")
            fields = _LOCAL.unpack(head)
            self.f.seek(info.header_offset + _LOCAL.size)
            if self.f.read(fields[9]) != info.orig_filename.encode("utf-8"):
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}: file read failed")
            off = self._offsets[name] = info.header_offset + _LOCAL.size + fields[9] + fields[10]
        return off

    def read(self, name: str, check_crc: bool = True) -> bytes:
        """The record's bytes (checked against its CRC-32 when ``check_crc``)."""
        info = self._info(name)
        off = self.offset(name)
        if off is None:
            try:
                return self.zf.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError) as e:
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {e}") from None
        self.f.seek(off)
        data = self.f.read(info.file_size)
        if len(data) != info.file_size or (check_crc and zlib.crc32(data) != info.CRC):
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: file read failed")
        return data

    def readinto(self, name: str, buf) -> None:
        """Read the record's data into the writable buffer ``buf`` (exactly its size)."""
        mv = memoryview(buf).cast("B")
        off = self.offset(name)
        if off is None:
            data = self.read(name)
            mv[:] = data
            return
        self.f.seek(off)
        n = 0
        total = len(mv)
        while n < total:
            k = self.f.readinto(mv[n:])
            if not k:
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}: file read failed")
            n += k
