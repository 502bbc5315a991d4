"""What a benchmark result records about where it ran: the git commit and the machine."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def git_commit() -> dict[str, Any]:
    """The checked-out commit and whether the working tree had uncommitted changes."""

    def git(*args: str) -> str:
        command = ["git", "--no-optional-locks", "-C", str(REPO), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603

    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": bool(git("status", "--porcelain"))}


def machine() -> dict[str, Any]:
    """CPU count and model, platform and Python version."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model.group(1).strip() if model else platform.processor(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
