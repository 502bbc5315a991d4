"""What an uploaded file really is, found by parsing it, not by its name or its first bytes alone.

`inspect_upload(upload, allowed)` finds the type the content claims (PDF, PNG, JPEG, DOCX or
text) among the allowed ones, then opens it as that type and refuses what is unsafe to keep:
- images are decoded (at most `UPLOAD_MAX_IMAGE_PIXELS` pixels, against decompression bombs)
  and encoded again, so metadata (EXIF, GPS, comments) and anything appended are dropped;
- PDFs are parsed with pypdf and refused when they carry JavaScript, launch actions or
  embedded files, are password protected or cannot be read;
- DOCX files are opened as a bounded zip (entries, total and per-entry uncompressed size,
  compression ratio, no absolute or `..` names, no encrypted entries) with the parts a Word
  document has and no macros;
- text must be UTF-8 without NUL bytes.

It returns a `CheckedUpload` (the type and the file to keep: the re-encoded image, or the
original bytes) or raises `UploadRefused` with a GOV.UK-style message for the citizen and a
stable code (`type`, `damaged`, `too_many_pixels`, `scripted`, `launch`, `embedded_files`,
`password`, `macros`, `too_large_unzipped`). It never raises anything else for any content.
"""

from __future__ import annotations

import codecs
import io
import logging
import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

logger = logging.getLogger(__name__)

# kind: (name shown to people, MIME type, extensions the file chooser offers, extension stored)
FILE_TYPES = {
    "pdf": ("PDF", "application/pdf", ".pdf", ".pdf"),
    "jpeg": ("JPEG", "image/jpeg", ".jpg,.jpeg", ".jpg"),
    "png": ("PNG", "image/png", ".png", ".png"),
    "docx": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", ".docx"),
    "txt": ("TXT", "text/plain", ".txt", ".txt"),
}
SIGNATURES = (("pdf", b"%PDF-"), ("png", b"\x89PNG\r\n\x1a\n"), ("jpeg", b"\xff\xd8\xff"), ("docx", b"PK\x03\x04"))
IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG"}
DEFAULT_MAX_SIZE_MB = 10
MEGABYTE = 1024 * 1024

# A Word document is a zip of XML parts; these bound what opening it may cost.
DOCX_MAX_ENTRIES = 1000
DOCX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
DOCX_MAX_RATIO = 100  # uncompressed / compressed, for entries above DOCX_RATIO_FROM bytes
DOCX_RATIO_FROM = 1024 * 1024
DOCX_REQUIRED_PARTS = ("[Content_Types].xml", "word/document.xml")
MACRO_MARKERS = (b"vbaProject", b"macroEnabled")

# PDF names that make a document act rather than show: scripts, launching programs, attached files.
PDF_MAX_OBJECTS = 200_000
PDF_SCRIPT_KEYS = {"/JS", "/JavaScript"}
PDF_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EmbeddedFile", "/EF"}
PDF_ACTIONS = {"/JavaScript": "scripted", "/Launch": "launch"}


class UploadRefused(ValueError):
    """The file cannot be accepted: `message` tells the citizen why, `code` tells programs."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed its checks: its type and the file to keep (re-encoded for images)."""

    kind: str
    file: UploadedFile

    @property
    def content_type(self) -> str:
        return FILE_TYPES[self.kind][1]

    @property
    def extension(self) -> str:
        return FILE_TYPES[self.kind][3]


def max_size_mb(question) -> int:
    """A file question's size limit in megabytes."""
    return int(question.rules.get("max_size_mb") or DEFAULT_MAX_SIZE_MB)


def form_body_limit(definition) -> int:
    """The largest body a step of this form may post: all its file questions' limits, plus its answers."""
    files = sum(max_size_mb(question) for _step, question in definition.questions() if question.type == "file")
    return files * MEGABYTE + settings.UPLOAD_FORM_FIELDS_BYTES


def type_names(kinds: tuple[str, ...]) -> list[str]:
    """ "PDF", "JPEG", ... for the kinds given."""
    return [FILE_TYPES[kind][0] for kind in kinds]


def claimed_kind(upload: Any) -> str | None:
    """The type the file's first bytes claim ("pdf", "png", "jpeg", "docx"), "txt" for UTF-8 text, else None."""
    upload.seek(0)
    head = upload.read(8) or b""
    upload.seek(0)
    for kind, signature in SIGNATURES:
        if head.startswith(signature):
            return kind
    return "txt" if _is_text(upload) else None


def inspect_upload(upload: UploadedFile, allowed: tuple[str, ...]) -> CheckedUpload:
    """The checked file, of one of the `allowed` kinds; raises UploadRefused (and nothing else) when it is not."""
    kind = claimed_kind(upload)
    if kind not in allowed:
        raise UploadRefused(type_message(allowed), "type")
    try:
        checked = _CHECKS[kind](upload)
    except UploadRefused:
        raise
    except Exception:  # a parser failing in any way on hostile input: the file cannot be opened
        logger.info("An uploaded %s could not be parsed", kind, exc_info=True)
        raise UploadRefused(damaged_message(kind), "damaged") from None
    finally:
        upload.seek(0)
    return CheckedUpload(kind, checked)


def type_message(allowed: tuple[str, ...]) -> str:
    """ "The selected file must be a PDF, JPEG or PNG"."""
    *first, last = type_names(allowed)
    listed = gettext("%(list)s or %(last)s") % {"list": ", ".join(first), "last": last} if first else last
    return gettext("The selected file must be a %(types)s") % {"types": listed}


def damaged_message(kind: str) -> str:
    return gettext("The selected file cannot be opened as a %(type)s. Check the file and try again") % {
        "type": FILE_TYPES[kind][0]
    }


# --- images ---------------------------------------------------------------------------------


def _image(kind: str):
    def check(upload: UploadedFile) -> UploadedFile:
        upload.seek(0)
        try:
            opened = Image.open(upload, formats=[IMAGE_FORMATS[kind]])
        except Image.DecompressionBombError:
            raise UploadRefused(too_many_pixels_message(), "too_many_pixels") from None
        with opened as image:
            if image.width * image.height > settings.UPLOAD_MAX_IMAGE_PIXELS:
                raise UploadRefused(too_many_pixels_message(), "too_many_pixels")
            image.load()  # decodes every pixel: a truncated or corrupt image fails here
            upright = _upright(image)
        return _encoded(upright, kind, upload.name)

    return check


def _upright(image: Image.Image) -> Image.Image:
    """The picture turned as its EXIF orientation says (before EXIF is dropped); as it is when that is unreadable."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a photo with broken EXIF is still a photo
        return image.copy()


def too_many_pixels_message() -> str:
    return gettext("The selected image must be smaller than %(count)s million pixels") % {
        "count": settings.UPLOAD_MAX_IMAGE_PIXELS // 1_000_000
    }


def _encoded(image: Image.Image, kind: str, name: str) -> UploadedFile:
    """The image encoded afresh with no metadata but its colour profile (and a PNG's transparency)."""
    kept = {key: image.info[key] for key in ("icc_profile", "transparency") if image.info.get(key) is not None}
    if kind == "jpeg":
        kept.pop("transparency", None)
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        kept["quality"] = 90
    image.info = {}
    out = io.BytesIO()
    image.save(out, IMAGE_FORMATS[kind], **kept)
    return SimpleUploadedFile(name, out.getvalue(), content_type=FILE_TYPES[kind][1])


# --- PDF ------------------------------------------------------------------------------------


def _pdf(upload: UploadedFile) -> UploadedFile:
    upload.seek(0)
    reader = PdfReader(upload, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise UploadRefused(
            gettext("The selected file is password protected. Remove the password and try again"), "password"
        )
    if len(reader.pages) < 1:
        raise UploadRefused(damaged_message("pdf"), "damaged")
    _check_pdf_objects(reader.trailer)
    upload.seek(0)
    return upload


def _check_pdf_objects(trailer: DictionaryObject) -> None:
    """Walk every object reachable from the trailer; refuse scripts, launch actions and attached files."""
    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [trailer]
    visited = 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise UploadRefused(damaged_message("pdf"), "damaged")
        if isinstance(node, DictionaryObject):
            _check_pdf_dictionary(node)
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)


def _check_pdf_dictionary(node: DictionaryObject) -> None:
    keys = set(node.keys())
    action = PDF_ACTIONS.get(str(node.get("/S", "")))
    if keys & PDF_SCRIPT_KEYS or action == "scripted":
        raise UploadRefused(
            gettext("The selected PDF must not contain JavaScript. Save it again without scripts and try again"),
            "scripted",
        )
    if action == "launch":
        raise UploadRefused(
            gettext("The selected PDF must not open other files or programs. Save it again without them and try again"),
            "launch",
        )
    embedded = keys & PDF_EMBEDDED_KEYS or str(node.get("/Subtype", "")) == "/FileAttachment"
    if embedded or str(node.get("/Type", "")) == "/EmbeddedFile":
        raise UploadRefused(
            gettext("The selected PDF must not contain attached files. Upload each file on its own"),
            "embedded_files",
        )


# --- DOCX -----------------------------------------------------------------------------------


def _docx(upload: UploadedFile) -> UploadedFile:
    upload.seek(0)
    with zipfile.ZipFile(getattr(upload, "file", upload)) as archive:
        entries = archive.infolist()
        if len(entries) > DOCX_MAX_ENTRIES:
            raise UploadRefused(_too_large_unzipped(), "too_large_unzipped")
        names = set()
        total = 0
        for entry in entries:
            _check_zip_entry(entry)
            names.add(entry.filename)
            total += entry.file_size
            if total > DOCX_MAX_UNCOMPRESSED:
                raise UploadRefused(_too_large_unzipped(), "too_large_unzipped")
        if not all(part in names for part in DOCX_REQUIRED_PARTS):
            raise UploadRefused(damaged_message("docx"), "damaged")
        content_types = archive.read("[Content_Types].xml")
        if any(posixpath.basename(name).lower() == "vbaproject.bin" for name in names) or any(
            marker in content_types for marker in MACRO_MARKERS
        ):
            raise UploadRefused(
                gettext(
                    "The selected document must not contain macros. Save it as a Word document (.docx) and try again"
                ),
                "macros",
            )
        for entry in entries:  # read every part: sizes and checksums must be what the zip declares
            with archive.open(entry) as part:
                while part.read(1024 * 1024):
                    pass
    upload.seek(0)
    return upload


def _check_zip_entry(entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        raise UploadRefused(damaged_message("docx"), "damaged")
    if entry.flag_bits & 0x1:
        raise UploadRefused(
            gettext("The selected file is password protected. Remove the password and try again"), "password"
        )
    if entry.file_size > DOCX_RATIO_FROM and entry.file_size > DOCX_MAX_RATIO * max(entry.compress_size, 1):
        raise UploadRefused(_too_large_unzipped(), "too_large_unzipped")


def _too_large_unzipped() -> str:
    return gettext("The selected document is too large when opened. Save it again with fewer or smaller pictures")


# --- text -----------------------------------------------------------------------------------


def _is_text(upload: Any) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def _text(upload: UploadedFile) -> UploadedFile:
    return upload  # claimed_kind has read it all as UTF-8 without NUL


_CHECKS = {"png": _image("png"), "jpeg": _image("jpeg"), "pdf": _pdf, "docx": _docx, "txt": _text}
