"""The packaging tier reuses the e2e tier's CLI harness (``find_cli``, the offline environment)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
