"""A small reader of gettext .po files for the translation tests (polib is not a dependency)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


@dataclass
class Entry:
    """One message: its context, id, plural id, translations (one per plural form) and flags."""

    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        """True when every form has a non-empty translation and the entry is not fuzzy."""
        forms = self.msgstr.values()
        return bool(forms) and all(text.strip() for text in forms) and "fuzzy" not in self.flags

    def describe(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"{context}{self.msgid!r}"


def _unquote(literal: str) -> str:
    return ast.literal_eval(literal)  # a .po string is a C string: the same escapes as Python's


def read_po(path: Path) -> list[Entry]:
    """Every entry of the file after the header, obsolete ones (#~) marked as such."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            target = (keyword, int(index or 0))
            text = _unquote(literal)
            if keyword == "msgstr" or keyword.startswith("msgstr["):
                entry.msgstr[int(index or 0)] = text
            else:
                setattr(entry, keyword, text)
        elif line.startswith('"') and target:
            keyword, index = target
            text = _unquote(line)
            if keyword.startswith("msgstr"):
                entry.msgstr[index] += text
            else:
                setattr(entry, keyword, getattr(entry, keyword) + text)
    finish()
    return [entry for entry in entries if entry.msgid]
