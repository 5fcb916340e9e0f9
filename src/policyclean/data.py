"""Where the reviewed data files live, and a reader for their TSV format.

All tables, rules and lists are plain UTF-8 files under ``corrections/`` so an
editor can read and change them without Python. An installed wheel carries a
copy as ``policyclean/corrections``; a source checkout uses the top-level
``corrections/`` directly; ``Config.tables_dir`` or the environment variable
``POLICYCLEAN_TABLES`` point at another copy (an editor trying a change).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .errors import TableError

_PACKAGE_DIR = Path(__file__).resolve().parent


def tables_dir(override: str | None = None) -> Path:
    """The corrections directory to use."""
    chosen = override or os.environ.get("POLICYCLEAN_TABLES")
    if chosen:
        path = Path(chosen)
        if not path.is_dir():
            raise TableError(f"{path}: tables directory not found; point tables_dir/POLICYCLEAN_TABLES at a copy of corrections/")
        return path
    return _default_tables_dir()


@lru_cache(maxsize=1)
def _default_tables_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "corrections", _PACKAGE_DIR.parent.parent / "corrections"):
        if candidate.is_dir():
            return candidate
    raise TableError("policyclean's corrections/ directory is missing from the installation; reinstall policyclean")


@dataclass(frozen=True)
class Row:
    """One data row of a TSV file: its cells by column name, and where it stands."""

    cells: dict[str, str]
    path: Path
    line: int

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def read_tsv(path: Path, required: tuple[str, ...] = ()) -> Iterator[Row]:
    """Rows of a TSV file with a header line.

    Lines starting with ``#`` and blank lines are comments. The first other line
    is the header (column names). Cells are stripped of surrounding spaces;
    missing trailing cells are empty. ``\\t`` and ``\\n`` escapes are not used:
    a cell cannot contain a tab.
    """
    header: list[str] | None = None
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise TableError(f"{path}: file not found") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in line.split("\t")]
            if header is None:
                header = cells
                missing = [c for c in required if c not in header]
                if missing:
                    raise TableError(f"{path}:{number}: header lacks column(s) {', '.join(missing)}")
                continue
            if len(cells) > len(header):
                raise TableError(f"{path}:{number}: {len(cells)} cells but the header has {len(header)} columns")
            yield Row(dict(zip(header, cells)), path, number)
    if header is None and required:
        raise TableError(f"{path}: no header line")
