"""Uploads are checked by parsing them (forms_catalogue.uploads), and named by the portal (portal.filenames)."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from forms_catalogue import uploads
from forms_catalogue.uploads import UploadRefused, inspect_upload
from portal.filenames import display_name, stored_extension
from tests import sample_files

EVERY_TYPE = ("pdf", "jpeg", "png", "docx", "txt")


def inspect(content: bytes, allowed: tuple[str, ...] = EVERY_TYPE):
    return inspect_upload(SimpleUploadedFile("upload", content), allowed)


def refusal(content: bytes, allowed: tuple[str, ...] = EVERY_TYPE) -> tuple[str, str]:
    with pytest.raises(UploadRefused) as refused:
        inspect(content, allowed)
    return refused.value.code, refused.value.message


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares width × height pixels, with almost no pixel data (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def pdf_written(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- what passes, and what is kept ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (sample_files.png(), "png"),
        (sample_files.jpeg(), "jpeg"),
        (sample_files.pdf(), "pdf"),
        (sample_files.docx(), "docx"),
        (sample_files.TEXT, "txt"),
    ],
)
def test_real_files_of_each_type_pass_with_their_type_and_extension(content, kind):
    checked = inspect(content)
    assert checked.kind == kind
    assert checked.extension == {"jpeg": ".jpg"}.get(kind, f".{kind}")
    assert checked.file.read() == content


def test_pictures_are_encoded_afresh_without_metadata_or_what_follows_them():
    gps = inspect(sample_files.jpeg_with_gps()).file.read()
    polyglot = inspect(sample_files.png_html_polyglot()).file.read()

    assert b"Jo Citizen" in sample_files.jpeg_with_gps() and b"Jo Citizen" not in gps
    assert not Image.open(io.BytesIO(gps)).getexif()
    assert polyglot == sample_files.png() and b"<script" not in polyglot


def test_a_photo_keeps_its_orientation_when_its_exif_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 20, 30)).save(out, "JPEG", exif=exif.tobytes())

    kept = Image.open(inspect(out.getvalue()).file)
    assert kept.size == (20, 40)


def test_a_pdf_with_an_empty_user_password_is_read_and_checked():
    protected = pdf_written(lambda writer: writer.encrypt(user_password="", owner_password="owner"))
    assert inspect(protected).kind == "pdf"


# --- what is refused, and why ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (sample_files.png_then_html(), "damaged"),
        (sample_files.png()[:40], "damaged"),  # truncated
        (b"%PDF-1.7\n" + os.urandom(2000), "damaged"),
        (b"PK\x03\x04" + os.urandom(200), "damaged"),
        (b"\xff\xd8\xff\xe0" + bytes(64), "damaged"),
        (sample_files.pdf_with_open_action_javascript(), "scripted"),
        (sample_files.pdf_with_named_javascript(), "scripted"),
        (sample_files.pdf_with_launch_action(), "launch"),
        (sample_files.pdf_with_embedded_file(), "embedded_files"),
        (sample_files.pdf_with_attachment_annotation(), "embedded_files"),
        (pdf_written(lambda writer: writer.encrypt(user_password="secret")), "password"),
        (sample_files.docx_zip_bomb(), "too_large_unzipped"),
        (sample_files.docx_with_macros(), "macros"),
        (sample_files.docx_with_parent_entry(), "damaged"),
        (zipped({**sample_files.docx_parts(), "/etc/passwd": b"x"}), "damaged"),
        (zipped({**sample_files.docx_parts(), "C:/Windows/evil.dll": b"x"}), "damaged"),
        (zipped({"word/document.xml": sample_files.DOCUMENT_XML.encode()}), "damaged"),  # no [Content_Types].xml
        (zipped({**sample_files.docx_parts(), "word/bomb.xml": b"<a/>" * 2_000_000}), "too_large_unzipped"),
        (b"text with a NUL \x00 in it", "type"),
        (b"GIF89a" + bytes(32), "type"),
    ],
)
def test_unsafe_or_unreadable_files_are_refused_with_their_reason(content, code):
    assert refusal(content)[0] == code


def test_a_picture_of_too_many_pixels_is_refused_before_it_is_decoded():
    code, message = refusal(png_declaring(100_000, 100_000))
    assert (code, message) == ("too_many_pixels", "The selected image must be smaller than 50 million pixels")


def test_the_pixel_limit_is_a_setting(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 3_000_000
    assert refusal(sample_files.png(2000, 2000))[0] == "too_many_pixels"
    assert inspect(sample_files.png(1000, 1000)).kind == "png"


def test_a_zip_is_bounded_by_entries_and_total_size(monkeypatch):
    many = zipped({**sample_files.docx_parts(), **{f"word/media/{n}.xml": b"<a/>" for n in range(10)}})
    assert inspect(many).kind == "docx"
    monkeypatch.setattr(uploads, "DOCX_MAX_ENTRIES", 5)
    assert refusal(many)[0] == "too_large_unzipped"
    monkeypatch.setattr(uploads, "DOCX_MAX_ENTRIES", 1000)
    monkeypatch.setattr(uploads, "DOCX_MAX_UNCOMPRESSED", 100)
    assert refusal(many)[0] == "too_large_unzipped"


def central_entry(data: bytearray, name: bytes) -> int:
    """Where the zip's central directory entry of `name` starts."""
    header = data.find(b"PK\x01\x02")
    while data[header + 46 : header + 46 + len(name)] != name:
        header = data.find(b"PK\x01\x02", header + 4)
    return header


def test_a_zip_that_lies_about_a_parts_size_is_refused():
    data = bytearray(zipped({**sample_files.docx_parts(), "word/media/a.bin": bytes(100_000)}))
    header = central_entry(data, b"word/media/a.bin")
    data[header + 24 : header + 28] = struct.pack("<I", 10)  # "10 bytes when unzipped"

    assert refusal(bytes(data))[0] == "damaged"


def test_a_zip_with_an_encrypted_part_is_password_protected():
    data = bytearray(sample_files.docx())
    header = central_entry(data, b"word/document.xml")
    data[header + 8 : header + 10] = struct.pack("<H", 0x1)  # "encrypted"

    assert refusal(bytes(data)) == (
        "password",
        "The selected file is password protected. Remove the password and try again",
    )


@pytest.mark.parametrize(
    ("allowed", "message"),
    [
        (("pdf",), "The selected file must be a PDF"),
        (("jpeg", "png"), "The selected file must be a JPEG or PNG"),
        (("pdf", "docx", "jpeg", "png"), "The selected file must be a PDF, DOCX, JPEG or PNG"),
    ],
)
def test_a_type_not_allowed_names_the_allowed_ones(allowed, message):
    assert refusal(sample_files.TEXT, allowed) == ("type", message)


@pytest.mark.parametrize("start", [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04"])
def test_random_content_behind_any_signature_is_refused_never_an_error(start):
    for _ in range(20):
        code, message = refusal(start + os.urandom(300))
        assert code in ("damaged", "type") and message


# --- the names the portal gives ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "extension", "shown"),
    [
        ("photo.png", ".png", "photo.png"),
        ("Photo.PNG", ".png", "Photo.PNG"),
        ("scan.jpeg", ".jpg", "scan.jpeg"),
        ("notes.html", ".png", "notes.html.png"),
        ("../../etc/passwd", ".txt", "passwd.txt"),
        ("C:\\Users\\sam\\letter.pdf", ".pdf", "letter.pdf"),
        ("invoice\u202efdp.exe", ".pdf", "invoicefdp.exe.pdf"),
        ("line\nbreak\t.pdf", ".pdf", "linebreak.pdf"),
        ("...", ".pdf", "file.pdf"),
        ("", ".docx", "file.docx"),
    ],
)
def test_display_names_are_safe_and_end_with_the_real_type(name, extension, shown):
    assert display_name(name, extension) == shown


@pytest.mark.parametrize(
    ("content_type", "extension"),
    [
        ("application/pdf", ".pdf"),
        ("image/jpeg", ".jpg"),
        ("image/png", ".png"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
        ("text/plain", ".txt"),
        ("application/x-unknown-thing", ".bin"),
    ],
)
def test_stored_files_get_the_extension_of_their_checked_type(content_type, extension):
    assert stored_extension(content_type) == extension
