"""Reading the body of a submission: JSON with files in base64, or multipart/form-data with files as parts.

    application/json     {"answers": {...}, "files": {"<pointer>": {"name": "...", "content_base64": "..."}},
                          "language": "cy"}
    multipart/form-data  an `answers` part (JSON text), optionally a `language` part, and one file part
                         per file, named by its pointer

A pointer is the JSON Pointer of the file question's answer in `answers` (`/photo`, or
`/household/0/document` in a repeating step). `read_submission` checks the declared length
against `API_MAX_BODY_BYTES` before reading anything, and raises `BodyProblem` (a problem
document's status, type, title and detail, with the bad fields) for anything it cannot read.
"""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from portal.filenames import display_name

ANSWERS_PART = "answers"
LANGUAGE_PART = "language"
MAX_POINTER_LENGTH = 200
MAX_NAME_LENGTH = 255
FILE_KEYS = {"name", "content_base64", "content_type"}
JSON_TYPES = ("application/json",)
MULTIPART_TYPE = "multipart/form-data"


@dataclass
class BodyProblem(Exception):
    """Why a body cannot be read: the problem document's status, type, title and detail, and the bad fields."""

    status: int
    kind: str
    title: str
    detail: str
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Submission:
    """What a body holds: the answers, the uploaded files by pointer, and the language as sent (None if not sent)."""

    answers: dict[str, Any]
    files: dict[str, UploadedFile]
    language: Any = None

    def digest(self, form_code: str) -> str:
        """SHA-256 of the submission in a canonical form (the same for its JSON and its multipart spelling)."""
        files = {}
        for pointer, upload in sorted(self.files.items()):
            upload.seek(0)
            files[pointer] = {"name": upload.name, "sha256": hashlib.sha256(upload.read()).hexdigest()}
            upload.seek(0)
        document = {"form": form_code, "answers": self.answers, "files": files}
        if self.language is not None:
            document["language"] = self.language
        canonical = json.dumps(
            document,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def read_submission(request: HttpRequest) -> Submission:
    """The submission in the request's body; raises BodyProblem when it is too large, of another type or unreadable."""
    length = declared_length(request)
    media_type = request.content_type.lower() if request.content_type else ""
    if media_type in JSON_TYPES or media_type.endswith("+json"):
        return _json_submission(request.read(length) if length else b"")
    if media_type == MULTIPART_TYPE:
        return _multipart_submission(request)
    raise BodyProblem(
        415,
        "unsupported-media-type",
        _("Unsupported media type"),
        _("Send the submission as application/json or multipart/form-data, not %(type)s.")
        % {"type": media_type or _("a body without a Content-Type")},
    )


def declared_length(request: HttpRequest) -> int:
    """The body's Content-Length; BodyProblem (413) above API_MAX_BODY_BYTES, before a byte of it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BodyProblem(
            400, "invalid-body", _("Invalid Content-Length"), _("Content-Length is not a number.")
        ) from None
    if length > settings.API_MAX_BODY_BYTES:
        raise too_large()
    return max(length, 0)


def too_large() -> BodyProblem:
    """The problem of a body larger than the API reads."""
    limit_mb = settings.API_MAX_BODY_BYTES // (1024 * 1024)
    return BodyProblem(
        413,
        "body-too-large",
        _("Body too large"),
        _("A submission, with its files, can be at most %(limit)s MB.") % {"limit": limit_mb},
    )


def _json_submission(raw: bytes) -> Submission:
    document = _parse_json(raw, _("The body"))
    if not isinstance(document, dict):
        raise _invalid_body(_("The body must be a JSON object with 'answers' and, optionally, 'files'."))
    unknown = sorted(set(document) - {"answers", "files", LANGUAGE_PART})
    if unknown:
        raise _invalid_body(_("The body has an unknown field '%(field)s'.") % {"field": unknown[0][:100]})
    answers = _answers(document.get("answers", None), "answers" in document)
    files_field = document.get("files", {})
    if not isinstance(files_field, dict):
        raise _invalid_body(_("'files' must be an object whose keys are the pointers of file questions."))
    errors: list[dict[str, str]] = []
    files = {}
    for pointer, entry in files_field.items():
        upload = _base64_file(pointer, entry, errors)
        if upload is not None:
            files[pointer] = upload
    if errors:
        raise files_problem(errors)
    return Submission(answers=answers, files=files, language=document.get(LANGUAGE_PART))


def _multipart_submission(request: HttpRequest) -> Submission:
    try:
        fields, uploads = request.POST, request.FILES
    except RequestDataTooBig:
        raise too_large() from None
    except (MultiPartParserError, TooManyFieldsSent, ValueError) as error:
        raise BodyProblem(400, "invalid-multipart", _("The multipart body cannot be read"), str(error)[:200]) from None
    unknown = sorted(set(fields) - {ANSWERS_PART, LANGUAGE_PART})
    if unknown:
        raise _invalid_body(
            _("The part '%(part)s' is not a file. Send the answers in the 'answers' part and each file as a file part.")
            % {"part": unknown[0][:100]}
        )
    if len(fields.getlist(ANSWERS_PART)) > 1:
        raise _invalid_body(_("Send one 'answers' part."))
    if len(fields.getlist(LANGUAGE_PART)) > 1:
        raise _invalid_body(_("Send one 'language' part."))
    answers = _answers(
        _parse_json(fields.get(ANSWERS_PART, "").encode(), _("The 'answers' part")), ANSWERS_PART in fields
    )
    errors: list[dict[str, str]] = []
    files = {}
    for pointer in uploads:
        sent = uploads.getlist(pointer)
        if _pointer_problem(pointer, errors):
            continue
        if len(sent) > 1:
            errors.append(_file_error(pointer, _("Send one file for each file question."), "too_many_files", ""))
            continue
        files[pointer] = sent[0]
    if errors:
        raise files_problem(errors)
    return Submission(answers=answers, files=files, language=fields.get(LANGUAGE_PART))


def files_problem(errors: list[dict[str, str]]) -> BodyProblem:
    """The problem of files that cannot be read, each named in `errors`."""
    return BodyProblem(
        400, "invalid-files", _("Some files cannot be read"), _("Check each file named in 'errors'."), errors
    )


def _parse_json(raw: bytes, what: str) -> Any:
    if not raw.strip():
        raise BodyProblem(400, "invalid-json", _("Invalid JSON"), _("%(what)s is empty.") % {"what": what})
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        detail = _("%(what)s is not UTF-8 text.") % {"what": what}
    except json.JSONDecodeError as error:
        detail = _("%(what)s is not valid JSON: %(error)s at line %(line)s, column %(column)s.") % {
            "what": what,
            "error": error.msg.lower(),
            "line": error.lineno,
            "column": error.colno,
        }
    except (ValueError, RecursionError):  # NaN/Infinity, an integer too long to read, nesting too deep
        detail = _("%(what)s is not JSON the portal can read (NaN, Infinity, a huge number or deep nesting).") % {
            "what": what
        }
    raise BodyProblem(400, "invalid-json", _("Invalid JSON"), detail)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _answers(value: Any, given: bool) -> dict[str, Any]:
    if not given:
        raise _invalid_body(_("The body has no 'answers': send them as an object keyed by question id."))
    if not isinstance(value, dict):
        raise _invalid_body(_("'answers' must be an object keyed by question id."))
    return value


def _invalid_body(detail: str) -> BodyProblem:
    return BodyProblem(400, "invalid-body", _("The body is not a submission"), detail)


def question_id_of(pointer: str) -> str:
    """The question a pointer names: its last segment that is not an item number."""
    segments = [segment for segment in pointer.split("/")[1:] if segment and not segment.isdigit()]
    return segments[-1][:50] if segments else ""


def _file_error(pointer: str, message: str, code: str, part: str) -> dict[str, str]:
    return {
        "pointer": pointer[:MAX_POINTER_LENGTH],
        "question_id": question_id_of(pointer),
        "message": message,
        "code": code,
        "part": part,
    }


def _pointer_problem(pointer: str, errors: list[dict[str, str]]) -> bool:
    if pointer.startswith("/") and len(pointer) <= MAX_POINTER_LENGTH:
        return False
    errors.append(
        _file_error(
            pointer,
            _("Name each file by the JSON Pointer of its question's answer, like /photo or /household/0/document."),
            "invalid_pointer",
            "",
        )
    )
    return True


def _base64_file(pointer: str, entry: Any, errors: list[dict[str, str]]) -> UploadedFile | None:
    """The file of one `files` entry, or None with its problems added to `errors`."""
    if _pointer_problem(pointer, errors):
        return None
    if not isinstance(entry, dict) or set(entry) - FILE_KEYS:
        errors.append(
            _file_error(pointer, _('Give each file as {"name": ..., "content_base64": ...}.'), "invalid_file", "")
        )
        return None
    name = entry.get("name")
    content_type = entry.get("content_type", "application/octet-stream")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        errors.append(_file_error(pointer, _("Give the file's name (255 characters at most)."), "invalid_name", "name"))
        return None
    if not isinstance(content_type, str) or len(content_type) > 100:
        errors.append(_file_error(pointer, _("Give the file's type as text."), "invalid_content_type", "content_type"))
        return None
    encoded = entry.get("content_base64")
    try:
        if not isinstance(encoded, str):
            raise ValueError
        content = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        errors.append(
            _file_error(
                pointer,
                _("The file's content is not valid base64 (RFC 4648, with + and /)."),
                "invalid_base64",
                "content_base64",
            )
        )
        return None
    return SimpleUploadedFile(display_name(name, ""), content, content_type=content_type)
