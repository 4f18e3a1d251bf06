"""What an uploaded verification document is, read from its bytes: a PDF, a PNG or a JPEG that parses, or nothing.

The name and the type the browser sent are ignored. The checks are structural (docs/decisions/0016): a PNG's chunks
must each carry a correct CRC from its header to its end, a JPEG's segments must run from its start marker to its
first scan, a PDF must open with ``%PDF-`` and end with ``%%EOF``. Nothing is decoded or rendered.
"""

import struct
import zlib
from dataclasses import dataclass

from benchmarks.errors import ServiceError

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
ACCEPTED = "a PDF, PNG or JPEG file of at most 5 MB"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_TAIL_BYTES = 1024  # "%%EOF" must be in the last kilobyte, as PDF readers look for it


@dataclass(frozen=True)
class DocumentKind:
    content_type: str
    extension: str


PDF = DocumentKind("application/pdf", "pdf")
PNG = DocumentKind("image/png", "png")
JPEG = DocumentKind("image/jpeg", "jpg")
KINDS = {kind.content_type: kind for kind in (PDF, PNG, JPEG)}


def _refuse(problem: str) -> ServiceError:
    return ServiceError(f"{problem} Upload {ACCEPTED}: a payout statement or an invoice.", field="file")


def _png_parses(data: bytes) -> bool:
    """Chunks from the signature to IEND, each with a correct CRC; IHDR first and at least one IDAT."""
    position, names = len(PNG_SIGNATURE), []
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        name = data[position + 4 : position + 8]
        body_end = position + 8 + length
        if body_end + 4 > len(data):
            return False
        (crc,) = struct.unpack(">I", data[body_end : body_end + 4])
        if zlib.crc32(data[position + 4 : body_end]) != crc:
            return False
        names.append(name)
        position = body_end + 4
        if name == b"IEND":
            break
    return bool(names) and names[0] == b"IHDR" and names[-1] == b"IEND" and b"IDAT" in names


def _jpeg_parses(data: bytes) -> bool:
    """Segments from SOI, each with its length, through a frame header (SOFn) to the first scan (SOS); ends in EOI."""
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return False
    position, frame = 2, False
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2 or position + 2 + length > len(data):
            return False
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            frame = True
        if marker == 0xDA:  # start of scan: the headers before it are complete
            return frame
        position += 2 + length
    return False


def _pdf_parses(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-PDF_TAIL_BYTES:]


def document_kind(data: bytes) -> DocumentKind:
    """The kind of document ``data`` is, or a ``ServiceError`` on the field ``file`` saying what is accepted."""
    if not data:
        raise _refuse("The file is empty.")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _refuse(f"The file is {len(data) / 1_048_576:.1f} MB.")
    for kind, magic, parses in (
        (PDF, b"%PDF-", _pdf_parses),
        (PNG, PNG_SIGNATURE, _png_parses),
        (JPEG, b"\xff\xd8\xff", _jpeg_parses),
    ):
        if data.startswith(magic):
            if not parses(data):
                raise _refuse(f"The file starts as a {kind.extension.upper()} but is damaged or incomplete.")
            return kind
    raise _refuse("The file is not a PDF, PNG or JPEG (whatever its name says).")
