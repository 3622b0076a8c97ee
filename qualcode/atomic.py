"""Writing files so that a crash never leaves half a file behind.

Why one place: the codebook edits of a run, pseudonym keys, anonymised transcripts and exports
all need the same temp-file-then-rename dance, and the same permission fix (``mkstemp`` makes a
private file; a written file should get the ordinary permissions the umask gives).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, then ``os.replace``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically, exactly as given (no newline translation)."""
    return write_bytes(path, text.encode("utf-8"))
