"""Form patterns: exchange files (see exchange.py) an editor starts a new e-form from.

Three sources, read in this order: the patterns shipped in `forms_catalogue/patterns/*.json`,
the `*.json` files in the folder named by the setting FORM_PATTERNS_DIR (a council's own), and
the patterns uploaded in the admin (`FormPattern`). A pattern with the id of an earlier one
replaces it, so a council can override a shipped pattern. A file that cannot be read or parsed
is logged and listed by `pattern_problems()` with its problem; it never stops the others loading.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .exchange import ImportProblem, ParsedDocument, parse_document

logger = logging.getLogger(__name__)

SHIPPED_PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
ORIGINS = {"shipped": _("Shipped with the portal"), "folder": _("Council's folder"), "uploaded": _("Uploaded")}


@dataclass(frozen=True)
class Pattern:
    """One available form pattern: its id, name and one-line description, its parsed document and origin."""

    id: str
    name: str
    description: str
    document: ParsedDocument
    origin: str
    source: str

    @property
    def origin_label(self) -> str:
        return str(ORIGINS[self.origin])


@dataclass(frozen=True)
class PatternProblem:
    """A pattern file that could not be used: where it is and why."""

    origin: str
    source: str
    message: str


def read_pattern(data: bytes | str, origin: str, source: str) -> Pattern:
    """A pattern from the text of an exchange file; ImportProblem when invalid or without a pattern id."""
    document = parse_document(data)
    if not document.pattern:
        raise ImportProblem('This file has no "pattern" (an id, a name and a description), so it is not a pattern.')
    pattern = document.pattern
    return Pattern(
        id=pattern["id"],
        name=pattern.get("name") or pattern["id"],
        description=pattern.get("description", ""),
        document=document,
        origin=origin,
        source=source,
    )


def _folder_files() -> list[tuple[str, Path]]:
    files = [("shipped", path) for path in sorted(SHIPPED_PATTERNS_DIR.glob("*.json"))]
    if settings.FORM_PATTERNS_DIR:
        folder = Path(settings.FORM_PATTERNS_DIR)
        if folder.is_dir():
            files += [("folder", path) for path in sorted(folder.glob("*.json"))]
        else:
            logger.warning("FORM_PATTERNS_DIR %s is not a folder: no council patterns loaded", folder)
    return files


def load_patterns() -> tuple[list[Pattern], list[PatternProblem]]:
    """Every usable pattern (a later one replaces an earlier one with its id) and every unusable file's problem."""
    from .models import FormPattern

    patterns: dict[str, Pattern] = {}
    problems: list[PatternProblem] = []
    candidates = []
    for origin, path in _folder_files():
        try:
            candidates.append((origin, path.name, path.read_bytes()))
        except OSError as error:
            problems.append(PatternProblem(origin, path.name, f"The file cannot be read: {error.strerror}."))
    candidates += [
        ("uploaded", stored.name, json.dumps(stored.document)) for stored in FormPattern.objects.order_by("pk")
    ]
    for origin, source, data in candidates:
        try:
            pattern = read_pattern(data, origin, source)
        except ImportProblem as problem:
            problems.append(PatternProblem(origin, source, str(problem)))
            continue
        patterns[pattern.id] = pattern
    for problem in problems:
        logger.warning("Form pattern %s (%s) is not usable: %s", problem.source, problem.origin, problem.message)
    return sorted(patterns.values(), key=lambda pattern: pattern.name.lower()), problems


def available_patterns() -> list[Pattern]:
    """The usable patterns, by name."""
    return load_patterns()[0]


def pattern_problems() -> list[PatternProblem]:
    """The pattern files that could not be used, with why."""
    return load_patterns()[1]


def find_pattern(pattern_id: str) -> Pattern | None:
    return next((pattern for pattern in available_patterns() if pattern.id == pattern_id), None)
