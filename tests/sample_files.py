"""Small real files of every upload type, and the hostile files the upload checks must refuse.

Every sample is made here, in memory, by the libraries that read them (Pillow, pypdf, zipfile),
so a test never depends on a binary file in the repository. The EICAR test string is put
together at run time, so no checkout of the repository looks infected to a virus scanner.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>A letter from the council.</w:t></w:r></w:p></w:body></w:document>"
)
RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
TEXT = b"Notes for the council.\n"


@cache
def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG, encoded as the upload checks encode it (so checking it gives the same bytes)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 112, 60)).save(out, "PNG")
    return out.getvalue()


@cache
def jpeg(exif: bytes = b"") -> bytes:
    """A real JPEG, with an EXIF block when one is given."""
    out = io.BytesIO()
    image = Image.new("RGB", (4, 4), (200, 30, 30))
    options = {"exif": exif} if exif else {}
    image.save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF says where the photo was taken (and who took it)."""
    exif = Image.Exif()
    exif[0x013B] = "Jo Citizen"  # Artist
    exif[0x8825] = {1: "N", 2: (52.0, 12.0, 30.0)}  # GPS latitude
    return jpeg(exif.tobytes())


def _pdf(change=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@cache
def pdf() -> bytes:
    """A real one-page PDF."""
    return _pdf()


def pdf_with_open_action_javascript() -> bytes:
    """A PDF that runs JavaScript when opened (/OpenAction << /S /JavaScript /JS ... >>)."""

    def add(writer: PdfWriter) -> None:
        action = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Action"),
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('pwned');"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return _pdf(add)


def pdf_with_named_javascript() -> bytes:
    """A PDF with document-level JavaScript in its /Names /JavaScript name tree (run when it opens)."""

    def add(writer: PdfWriter) -> None:
        script = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")}
        )
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("init"), writer._add_object(script)])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})

    return _pdf(add)


def pdf_with_launch_action() -> bytes:
    """A PDF whose first page, when opened, launches a program (/AA << /O << /S /Launch >> >>)."""

    def add(writer: PdfWriter) -> None:
        launch = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
        )
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): launch})

    return _pdf(add)


def pdf_with_embedded_file() -> bytes:
    """A PDF carrying another file in its /EmbeddedFiles name tree."""
    return _pdf(lambda writer: writer.add_attachment("invoice.exe", b"MZ not really a program"))


def pdf_with_attachment_annotation() -> bytes:
    """A PDF with a file attached to its page as a /FileAttachment annotation."""

    def add(writer: PdfWriter) -> None:
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/FileAttachment"),
                NameObject("/Rect"): ArrayObject(
                    [NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)]
                ),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return _pdf(add)


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
    return out.getvalue()


def docx_parts() -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES_XML.encode(),
        "_rels/.rels": RELS_XML.encode(),
        "word/document.xml": DOCUMENT_XML.encode(),
    }


@cache
def docx() -> bytes:
    """A real (minimal) Word document."""
    return _zip(docx_parts())


def docx_zip_bomb(megabytes: int = 64) -> bytes:
    """A Word document with a part of `megabytes` of zeros that compresses a thousand times."""
    return _zip({**docx_parts(), "word/media/image1.bmp": bytes(megabytes * 1024 * 1024)})


def docx_with_macros() -> bytes:
    return _zip({**docx_parts(), "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"})


def docx_with_parent_entry() -> bytes:
    """A Word document with an entry that climbs out of the folder it is unzipped in."""
    return _zip({**docx_parts(), "../../../../tmp/evil.sh": b"#!/bin/sh\nrm -rf ~\n"})


def png_then_html() -> bytes:
    """A PNG header followed by HTML: what the first bytes say is not what the file is."""
    return png()[:16] + HTML


def png_html_polyglot() -> bytes:
    """A complete, valid PNG with an HTML page appended: a picture to Pillow, a page to a browser that sniffs."""
    return png() + HTML


def jpeg_zip_polyglot() -> bytes:
    """A valid JPEG with a zip (a Word document) appended."""
    return jpeg() + docx()


def eicar() -> bytes:
    """The EICAR anti-virus test file, which every scanner reports (made here so the source is not flagged)."""
    return b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"
