"""What an import found: every problem with its row and column, and what was written."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.importing.limits import MAX_LISTED_ERRORS


@dataclass(frozen=True)
class CellError:
    """One problem: spreadsheet row number (header = 1), column as written, reason."""

    row: int
    column: str
    value: str
    reason: str

    @property
    def short_value(self) -> str:
        """The value as messages show it: long ones cut, line breaks visible."""
        return _shorten(self.value)

    def __str__(self) -> str:
        shown = f"“{self.short_value}”" if self.value else "（空）"
        return f"第{self.row}行 {self.column} {shown}：{self.reason}"


def _shorten(value: str, limit: int = 60) -> str:
    """A value as a message shows it: long ones cut, line breaks visible."""
    flat = value.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return flat if len(flat) <= limit else flat[:limit] + f"…（共 {len(value):,} 个字符）"


@dataclass
class ImportReport:
    """What an import found and (unless dry run or invalid) did.

    ``errors`` lists the first :data:`MAX_LISTED_ERRORS` problems; ``error_count`` and
    ``bad_rows`` count them all.
    """

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    #: Of ``updated``, how many kept a review, reply or score staff entered that the row
    #: did not carry (an import never moves a complaint back in the workflow).
    kept_work: int = 0
    platforms_created: list[str] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    error_count: int = 0
    _bad_rows: set[int] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        given, self.errors = self.errors, []
        self.add(given)

    def add(self, errors: list[CellError]) -> None:
        """Record problems (listing only the first few hundred, counting all)."""
        for error in errors:
            self.error_count += 1
            self._bad_rows.add(error.row)
            if len(self.errors) < MAX_LISTED_ERRORS:
                self.errors.append(error)

    @property
    def bad_rows(self) -> int:
        return len(self._bad_rows)

    @property
    def truncated(self) -> bool:
        """Whether more problems were found than :attr:`errors` lists."""
        return self.error_count > len(self.errors)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> str:
        if not self.ok:
            listed = f"，仅列出前 {len(self.errors):,} 处" if self.truncated else ""
            return (
                f"{self.rows} 行中 {self.bad_rows} 行有错误（共 {self.error_count} 处{listed}），"
                "未写入任何数据"
            )
        created = (
            f"，新建平台 {len(self.platforms_created)} 个：{'、'.join(self.platforms_created)}"
            if self.platforms_created
            else ""
        )
        kept = (
            f"（其中 {self.kept_work} 件保留工作人员录入的审核、回复或评分）"
            if self.kept_work
            else ""
        )
        if self.dry_run:
            return (
                f"{self.rows} 行全部有效（试运行，未写入）：将新增 {self.inserted}，"
                f"更新 {self.updated}{kept}{created}"
            )
        return f"{self.rows} 行已导入：新增 {self.inserted}，更新 {self.updated}{kept}{created}"
