"""What an upload is, read from its bytes: a PDF, PNG or JPEG that parses, at most 5 MB, or a refusal naming the
field and what is accepted."""

import pytest

from benchmarks.errors import ServiceError
from tests.documents import jpeg_bytes, pdf_bytes, png_bytes
from trainers.documents import JPEG, MAX_DOCUMENT_BYTES, PDF, PNG, document_kind


@pytest.mark.parametrize(("data", "kind"), [(pdf_bytes(), PDF), (png_bytes(), PNG), (jpeg_bytes(), JPEG)])
def test_a_pdf_png_or_jpeg_is_recognised_by_its_content(data, kind):
    assert document_kind(data) == kind


def refusal(data: bytes) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        document_kind(data)
    assert caught.value.field == "file"
    assert "PDF, PNG or JPEG file of at most 5 MB" in caught.value.text
    return caught.value


def test_an_empty_file_is_refused():
    assert "empty" in refusal(b"").text


def test_a_file_over_5_mb_is_refused_even_when_it_is_a_pdf():
    data = pdf_bytes()
    big = data[:-6] + b"\n" * (MAX_DOCUMENT_BYTES - len(data) + 1) + b"%%EOF\n"
    assert len(big) == MAX_DOCUMENT_BYTES + 1
    assert "5.0 MB" in refusal(big).text
    at_limit = data[:-6] + b"\n" * (MAX_DOCUMENT_BYTES - len(data)) + b"%%EOF\n"
    assert document_kind(at_limit) == PDF


@pytest.mark.parametrize(
    "data",
    [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00 an executable", b"GIF89a\x01\x00\x01\x00"],
    ids=["html", "executable", "gif"],
)
def test_other_content_is_refused_whatever_its_name(data):
    assert "not a PDF, PNG or JPEG" in refusal(data).text


def test_a_png_with_a_damaged_chunk_is_refused():
    data = bytearray(png_bytes())
    data[40] ^= 0xFF  # inside the IDAT chunk: its CRC no longer matches
    assert "damaged" in refusal(bytes(data)).text


def test_a_truncated_png_is_refused():
    assert "damaged" in refusal(png_bytes()[:-12]).text  # no IEND


def test_a_png_signature_alone_is_refused():
    assert "damaged" in refusal(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40).text


def test_a_jpeg_without_its_frame_or_end_is_refused():
    assert "damaged" in refusal(jpeg_bytes()[:-2]).text
    assert "damaged" in refusal(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 9 + b"\xff\xd9").text


def test_a_pdf_without_its_end_of_file_marker_is_refused():
    assert "damaged" in refusal(b"%PDF-1.7\n" + b"x" * 5000).text
