"""File names the portal chooses or shows for uploaded files: never a path, never a disguise."""

import mimetypes
import re
import unicodedata

MAX_NAME_LENGTH = 255
UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def stored_extension(content_type: str) -> str:
    """The extension of a file of this (checked) type: ".pdf", ".png", ".jpg", ...; ".bin" when unknown."""
    return (
        {"image/jpeg": ".jpg", "text/plain": ".txt"}.get(content_type)
        or mimetypes.guess_extension(content_type)
        or ".bin"
    )


def display_name(name: str, extension: str) -> str:
    """A file name fit to show and offer as a download name, never a path: the citizen's, made safe.

    Folders (either slash), control and Unicode format characters (a right-to-left override can
    disguise "gpj.exe" as "exe.jpg") and characters Windows forbids are removed; the name ends
    with the `extension` of what the file really is ("notes.html" with a PNG inside becomes
    "notes.html.png").
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(character for character in base if unicodedata.category(character) not in ("Cf", "Cc"))
    base = UNSAFE_NAME_CHARACTERS.sub("", base).strip(" .") or "file"
    if (
        extension
        and not base.lower().endswith(extension)
        and not (extension == ".jpg" and base.lower().endswith(".jpeg"))
    ):
        base += extension
    if len(base) > MAX_NAME_LENGTH:
        base = base[: MAX_NAME_LENGTH - len(extension)] + extension
    return base
