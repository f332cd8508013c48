"""Running the real ``stanceline`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-c", "from stanceline.cli import main; main()"]


def clean_env() -> dict[str, str]:
    """The environment without any STANCELINE_ setting, so only the given arguments count."""
    return {k: v for k, v in os.environ.items() if not k.startswith("STANCELINE_")}


def start_ingest(folder: Path, db_url: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "ingest", str(folder), "--db", db_url, "--workers", "1"],
        cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
