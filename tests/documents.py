"""Small documents of each kind, built byte by byte, for the verification tests."""

import struct
import zlib

from django.contrib.auth.models import Permission
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory


def _chunk(name: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + name + body + struct.pack(">I", zlib.crc32(name + body))


def png_bytes() -> bytes:
    """A 1×1 grey PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + _chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """The headers of a 1×1 baseline JPEG through its scan, and its end marker."""
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 1, 1, 1) + b"\x01\x11\x00"
    scan = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + frame + scan + b"\x00" + b"\xff\xd9"


def pdf_bytes(text: str = "Payout statement") -> bytes:
    return f"%PDF-1.4\n1 0 obj\n<< /Title ({text}) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".encode()


def upload(data: bytes, name: str = "statement.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files() -> set[str]:
    """The names of every verification document in private storage."""
    storage = storages["documents"]
    try:
        return {f"verification/{name}" for name in storage.listdir("verification")[1]}
    except FileNotFoundError:
        return set()


def reviewer(**fields):
    """A staff member (not a superuser) allowed to read and review verification documents."""
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.add(Permission.objects.get(codename="review_verificationdocument"))
    return user
