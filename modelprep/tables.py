"""The one printer of every table a command shows: aligned text for a terminal and a log, or
Markdown for the benchmark's report."""

from __future__ import annotations


def table(headings: list[str], rows: list[list], markdown: bool = False) -> str:
    """``rows`` under ``headings``; floats to 4 significant digits, None as "-" (strings are
    shown as they are, so a caller formats what needs a fixed precision)."""
    cells = [[_cell(value) for value in row] for row in [headings, *rows]]
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in cells]
        lines.insert(1, "|" + "---|" * len(headings))
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in cells) for i in range(len(headings))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)
