"""Small tables (FR, VIF, metrics) as CSV files, written atomically."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from .raster import atomic_file, check_output_path


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.10g}"
    if hasattr(value, "item"):
        return _cell(value.item())
    if isinstance(value, (int, bool)):
        return str(value)
    return _text(str(value))


#: first characters that make a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(text: str) -> str:
    """Text as a spreadsheet shows it, never run: a cell starting like a formula (a model name
    '=HYPERLINK(…)' from someone else's results file) gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path: str | Path, columns: Sequence[str], rows: Sequence[dict],
              inputs: Sequence[str] = ()) -> Path:
    out = check_output_path(str(path), inputs)
    with atomic_file(out) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return out
