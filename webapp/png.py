"""The smallest PNG writer that browsers accept: 8-bit RGBA, no filtering, zlib.

Why our own: the icons are generated at build time, and build.py must run with the
standard library alone (before .venv exists), so no Pillow.
"""

from __future__ import annotations

import struct
import zlib


def chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode(width: int, height: int, rows: list[bytes]) -> bytes:
    """A PNG of `height` rows of `width` RGBA pixels (4 bytes each, top row first)."""
    if len(rows) != height or any(len(row) != 4 * width for row in rows):
        raise ValueError(f"expected {height} rows of {4 * width} bytes")
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, deflate, no filter, no interlace
    raw = b"".join(b"\0" + row for row in rows)  # filter type 0 (none) before each row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def decode(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows) of a PNG that `encode` wrote; for the tests."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    offset, idat, width = 8, b"", 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        if crc != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise ValueError(f"bad CRC in {kind!r}")
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if (depth, colour) != (8, 6):
                raise ValueError("only 8-bit RGBA")
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    rows = [raw[i * stride + 1 : (i + 1) * stride] for i in range(height)]
    if any(raw[i * stride] != 0 for i in range(height)):
        raise ValueError("only unfiltered rows")
    return width, height, rows
