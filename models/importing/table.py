"""The header of an imported table mapped to canonical columns, and its rows as cells.

Columns may be named in English or Chinese (``platform`` / 投诉平台). Unknown named
columns are ignored with a warning; a non-empty cell under no header at all (right of
the header, or under an empty header cell) is reported — it usually means a row has
more cells than the header because a comma or tab slipped into a value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from models.errors import TousuError
from models.importing.files import Table
from models.importing.report import CellError

#: canonical name → (Chinese name, required)
Columns = dict[str, tuple[str, bool]]


@dataclass
class Layout:
    """Where each known column is in the file, and what the header said about it."""

    header_row: int
    positions: dict[str, int] = field(default_factory=dict)  # canonical name → index
    names: dict[str, str] = field(default_factory=dict)  # canonical name → as written
    unnamed: list[int] = field(default_factory=list)  # indexes of empty header cells
    width: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    pick: Callable[[list[str]], tuple[str, ...]] | None = None  # the known cells, in order

    def cells(self, number: int, row: list[str]) -> tuple[dict[str, str], list[CellError]]:
        """The row's cells by canonical name, and an error for each cell under no header."""
        size = len(row)
        if size >= self.width and self.pick is not None:  # the usual case, at C speed
            cells = dict(zip(self.positions, self.pick(row), strict=True))
        else:
            cells = {key: row[i] if i < size else "" for key, i in self.positions.items()}
        errors: list[CellError] = []
        if self.unnamed or size > self.width:
            for i in [*self.unnamed, *range(self.width, size)]:
                if i < size and row[i]:
                    errors.append(
                        CellError(
                            number,
                            f"第{i + 1}列",
                            row[i],
                            "这一列没有表头：请补上列名或删除多出的单元格",
                        )
                    )
        return cells, errors


def layout(table: Table, columns: Columns) -> Layout:
    """Map ``table``'s header to ``columns``; refuse a header with no known column at all."""
    aliases: dict[str, str] = {}
    for canonical, (chinese, _required) in columns.items():
        aliases[canonical.lower()] = canonical
        aliases[chinese] = canonical
    found = Layout(table.header_row, width=len(table.header))
    for index, name in enumerate(table.header):
        key = aliases.get(name.lower())
        if not name:
            found.unnamed.append(index)
        elif key is None:
            found.warnings.append(f"忽略未知列“{name[:50]}”")
        elif key in found.positions:
            found.errors.append(CellError(table.header_row, name, name, "列名重复"))
        else:
            found.positions[key] = index
            found.names[key] = name
    if not found.positions:
        canonical, (chinese, _required) = next((k, v) for k, v in columns.items() if v[1])
        raise TousuError(
            f"无法识别表头：第{table.header_row}行没有任何已知列名（如“{chinese}”或"
            f"“{canonical}”）。请确认第一行是表头；CSV 文件请以 UTF-8 或 GBK 编码保存，"
            "其他编码（如 Shift-JIS、Big5）会被误读"
        )
    if len(found.positions) > 1:
        found.pick = itemgetter(*found.positions.values())
    for canonical, (chinese, required) in columns.items():
        if required and canonical not in found.positions:
            found.errors.append(
                CellError(table.header_row, f"{canonical}/{chinese}", "", "缺少必需的列")
            )
    return found
