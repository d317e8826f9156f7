"""Write a launch data folder from hand-written extracts (importable by any test module)."""
from __future__ import annotations

from pathlib import Path


def make_launch(root: Path, files: dict[str, str | bytes], toml: str | None = None) -> Path:
    """A data folder under ``root`` with ``files`` (relative path -> content) and launch.toml."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    if toml is not None:
        (data / "launch.toml").write_text(toml, encoding="utf-8")
    for rel, content in files.items():
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return data
