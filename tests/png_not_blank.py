#!/usr/bin/env python3
"""png_not_blank.py FILE: exit 0 when FILE is a PNG whose pixels are not all
alike (a rendered page, not an empty one), 1 otherwise. Standard library
only: the chunks are read by hand and the image data inflated with zlib."""
import struct
import sys
import zlib

data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(1)
i, idat = 8, b""
while i + 8 <= len(data):
    (n,) = struct.unpack(">I", data[i:i + 4])
    if data[i + 4:i + 8] == b"IDAT":
        idat += data[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
# A blank page inflates to a handful of distinct byte values.
sys.exit(0 if len(set(raw)) > 32 else 1)
