"""Caps on imported files: what a file may hold before it is refused unread.

Uploads come from people and from tools, and a crafted file must not exhaust the
server: a 1.6 KB XLSX can claim 16,384 × 200,000 cells, a few MB of ZIP can unpack to
gigabytes. Every reader here streams and stops at these caps with a message saying
which cap and, where there is one, which row. The README's "Uploads and imports"
section lists them; keep the two in step.
"""

from __future__ import annotations

from models.rules.periods import EARLIEST_DAY

MB = 1024 * 1024

#: Size of the file itself (the admin page's upload limit, server.maxUploadSize, is lower).
MAX_FILE_BYTES = 100 * MB
#: Data rows after the header (a year of the real platform is about 140,000 complaints).
MAX_ROWS = 200_000
#: Cells per row, header included; a value further right refuses the file.
MAX_COLUMNS = 100
#: Characters in one cell: Excel's own limit, far above the longest column (title 300).
MAX_CELL_CHARS = 32_767
#: Characters in one CSV record (all its cells and separators).
MAX_RECORD_CHARS = 1_000_000
#: XLSX: unpacked size of the worksheet read, of the shared-string table, of any other part
#: read (workbook, relations, styles), and declared size of all ZIP members together.
MAX_SHEET_BYTES = 256 * MB
MAX_SHARED_STRINGS_BYTES = 128 * MB
MAX_PART_BYTES = 16 * MB
MAX_ZIP_TOTAL_BYTES = 1024 * MB
#: Members of the ZIP archive (an XLSX has a dozen; each costs memory to list).
MAX_ZIP_MEMBERS = 10_000
#: XML: one tag, comment or other markup token (expat before 2.6 rescans an unfinished
#: token with every chunk fed, so a 300 MB comment would take hours, not seconds).
MAX_TOKEN_BYTES = 1 * MB
#: Entries in the shared-string table (each is held in memory while the sheet is read).
MAX_SHARED_STRINGS = 4_000_000
#: Problems listed in a report; all are counted.
MAX_LISTED_ERRORS = 1_000
#: Dates accepted anywhere in an import: from this day up to tomorrow (see models.rules.periods).
EARLIEST_DATE = EARLIEST_DAY


def megabytes(size: int) -> str:
    """A cap for messages: 512 MB, 1 GB."""
    if size >= 1024 * MB and size % (1024 * MB) == 0:
        return f"{size // (1024 * MB)} GB"
    return f"{size // MB} MB"
