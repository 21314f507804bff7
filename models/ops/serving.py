"""What `tousu serve` runs with, noted in the state folder for the commands asked later.

`tousu doctor` and `tousu share create` run in another process, often in another shell
with other variables (or none): what they say about the server — its address, whether
anonymous visitors see the board and why, the address share links use — must be what the
server was started with, not what their own environment would start. So `tousu serve`
writes it down here just before it becomes the Streamlit server (same process id).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from models.settings import get_settings

FILE = "serving.json"  # in TOUSU_STATE_DIR


@dataclass(frozen=True)
class Serving:
    address: str  # where it listens: http://127.0.0.1:8501
    public: bool  # anonymous visitors see the dashboards (masked)
    public_because: str | None  # "--demo", "--public" or "TOUSU_PUBLIC_DASHBOARDS=1"
    base_url: str | None  # its TOUSU_BASE_URL
    pid: int

    @property
    def running(self) -> bool:
        """Whether the process that wrote this still runs."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # another user's process: it exists
            return True
        return True


def _path(state_dir: Path | None = None) -> Path:
    return (state_dir or get_settings().state_dir) / FILE


def record(serving: Serving) -> None:
    """Note what this server runs with (replacing an earlier server's note)."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{FILE}.{os.getpid()}")
    partial.write_text(json.dumps(asdict(serving), ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)  # whole or not at all, for a doctor reading meanwhile


def last(state_dir: Path | None = None) -> Serving | None:
    """What the latest `tousu serve` was started with; None if none noted (or unreadable)."""
    try:
        data = json.loads(_path(state_dir).read_text(encoding="utf-8"))
        return Serving(
            address=str(data["address"]),
            public=bool(data["public"]),
            public_because=data.get("public_because"),
            base_url=data.get("base_url"),
            pid=int(data["pid"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
