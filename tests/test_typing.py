"""The house style's type check: mypy over events, models and ingest (setup.cfg [mypy]) passes."""
from __future__ import annotations

import subprocess
import sys

from clearance.config import PROJECT_ROOT


def test_mypy_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
