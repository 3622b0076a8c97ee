"""The real review screen driven through a pseudo-terminal: raw keys in, rich screen out.

The child is ``qualcode review`` with a pty as stdin/stdout/stderr (TERM=xterm, 100x30), so it
reads keys in cbreak mode and redraws with clear-screen; the test waits for each new screen
(polling the pty with a timeout, no fixed sleeps), then checks what was stored.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from qualcode.project import Project

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
CLEAR = "\x1b[2J"


def qualcode_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("qualcode")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("qualcode")
    return [found] if found else [sys.executable, "-c", "from qualcode.cli import main; main()"]


class Pty:
    """A child process on a pseudo-terminal, with the screen it drew last."""

    def __init__(self, args: list[str], cwd: Path, rows: int = 30, cols: int = 100) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm", "COLUMNS": str(cols), "LINES": str(rows)}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.fd = master
        self.raw = ""
        self.eof = False

    def _pump(self, timeout: float) -> None:
        if self.eof:
            return
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            data = b""
        if not data:
            self.eof = True
            return
        self.raw += data.decode("utf-8", "replace")

    def screen(self) -> str:
        """The text of the last full frame (after the last clear-screen), without colours."""
        return ANSI.sub("", self.raw.rsplit(CLEAR, 1)[-1]).replace("\r", "")

    def wait_for(self, *texts: str, timeout: float = 10.0) -> str:
        end = time.monotonic() + timeout
        while True:
            scr = self.screen()
            if all(t in scr for t in texts):
                return scr
            if time.monotonic() > end or self.eof:
                raise AssertionError(f"timed out waiting for {texts!r}; screen was:\n{scr}")
            self._pump(0.05)

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode("utf-8"))

    def finish(self, timeout: float = 10.0) -> str:
        end = time.monotonic() + timeout
        while not self.eof and time.monotonic() < end:
            self._pump(0.05)
        self.proc.wait(timeout=max(0.1, end - time.monotonic()))
        os.close(self.fd)
        return ANSI.sub("", self.raw)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def review_project(project_dir: Path) -> Path:
    with Project.open(project_dir) as p:
        p.ingest([project_dir / "transcripts"])
        p.suggest(min_score=0.0)
    return project_dir


def start(project_dir: Path, *extra: str) -> Pty:
    return Pty(qualcode_cmd() + ["review", "--coder", "anna", *extra], cwd=project_dir)


def test_screen_accepts_rejects_codes_undoes_and_resumes(review_project: Path) -> None:
    t = start(review_project)
    try:
        scr = t.wait_for("T01_g1:2", "1/6", "a/1-9 accept")
        assert "I: Hoe ziet een werkdag eruit?" in scr  # the previous turn as context
        assert "logic.bureaucratic" in scr and "de wet zegt" in scr
        assert "43m" in t.raw.rsplit(CLEAR, 1)[-1]  # evidence words highlighted (black on yellow)

        t.send("a")
        scr = t.wait_for("accepted logic.bureaucratic")
        assert "your codings (1)" in scr

        t.send("\x1b[C")  # right arrow: next turn
        t.wait_for("T01_g1:3", "2/6", "logic.professional")
        t.send("r")  # the only open suggestion: rejected at once
        t.wait_for("rejected logic.professional", "suggestions (0 open)")

        t.send("c")
        t.wait_for("code: ")
        t.send("markt")
        t.wait_for("code: markt", "1 logic.market")
        t.send("\r")  # Enter takes the top hit
        t.wait_for("coded logic.market", "your codings (1)")

        t.send("s")
        t.wait_for("stance: e endorses")
        t.send("d")
        t.wait_for("stance distances on logic.market", "[distances]")

        t.send("l")
        t.wait_for("T01_g1:5", "3/6")
        t.send("1")
        t.wait_for("accepted logic.market", "[rejects]")
        t.send("u")
        t.wait_for("undone: accepted logic.market on T01_g1:5", "suggestions (1 open)")

        t.send("\x1b[D")  # left arrow: back
        t.wait_for("T01_g1:3", "2/6")
        t.send("l")
        t.wait_for("T01_g1:5", "3/6")
        t.send("q")
        out = t.finish()
    finally:
        t.kill()
    assert t.proc.returncode == 0, out
    assert "next time it starts at T01_g1:5" in out

    with Project.open(review_project) as p:
        rows = {r["code"]: r for r in p.coding_rows(coders=["anna"])}
        assert set(rows) == {"logic.bureaucratic", "logic.market"}
        assert rows["logic.bureaucratic"]["fragment"] == "T01_g1:2"
        assert rows["logic.bureaucratic"]["origin"].startswith("suggestion:")
        assert rows["logic.market"]["fragment"] == "T01_g1:3" and rows["logic.market"]["origin"] == "manual"
        assert rows["logic.market"]["stance"] == "distances"
        status = {s["fragment"]: s["status"] for s in p.suggestion_rows(status=None)}
        assert status["T01_g1:2"] == "accepted" and status["T01_g1:3"] == "rejected" and status["T01_g1:5"] == "open"
        assert p.store.review_position("anna", "all") == "T01_g1:5"

    t = start(review_project)
    try:
        t.wait_for("resumed at T01_g1:5", "3/6", "logic.market")
        t.send("q")
        t.finish()
    finally:
        t.kill()
    assert t.proc.returncode == 0


def test_screen_blind_and_prompt_cancel(review_project: Path) -> None:
    t = start(review_project, "--blind")
    try:
        scr = t.wait_for("T01_g1:2", "[blind]", "your codings (0)")
        assert "suggestions (" not in scr and "logic.bureaucratic" not in scr
        assert "de wet zegt" in scr and "43m" not in t.raw.rsplit(CLEAR, 1)[-1]  # no evidence highlighted
        t.send("a")
        t.wait_for("blind review: suggestions are hidden")
        t.send("c")
        t.wait_for("code: ")
        t.send("prof")
        t.wait_for("1 logic.professional")
        t.send("\x1b")  # Esc cancels the prompt
        t.wait_for("no code added")
        t.send("c")
        t.wait_for("code: ")
        t.send("logic")
        t.wait_for("3 logic.market")
        t.send("3")  # a digit picks from the list
        t.wait_for("coded logic.market")
        t.send("q")
        t.finish()
    finally:
        t.kill()
    with Project.open(review_project) as p:
        assert [r["code"] for r in p.coding_rows(coders=["anna"])] == ["logic.market"]
        assert all(s["status"] == "open" for s in p.suggestion_rows(status=None))


def test_screen_makes_a_new_code_from_the_respondents_words(review_project: Path) -> None:
    """In-vivo coding at the keyboard: a name no code has, Enter offers it; the parent is picked from a
    live list of every code (grouping codes too); the words default to the name, said in the turn."""
    t = start(review_project)
    try:
        t.wait_for("T01_g1:2", "1/6")
        t.send("j")
        t.wait_for("jump to")
        t.send("T02_r1:2\r")
        t.wait_for("at T02_r1:2", "wakker te schudden")
        t.send("c")
        t.wait_for("code: ")
        t.send("wakker te schudden")
        t.wait_for("no code matches; Enter: make it a new code")
        t.send("\r")
        t.wait_for("goes under (Enter = top level")
        t.send("beslis")
        t.wait_for("1 discretion")  # a grouping code: not codable, but a parent
        t.send("\r")
        t.wait_for("words of the turn to code with discretion.wakker_te_schudden (Enter = «wakker te schudden»)")
        t.send("\r")
        t.wait_for("definition of discretion.wakker_te_schudden")
        t.send("Druk zetten.\r")
        scr = t.wait_for("new code discretion.wakker_te_schudden (under discretion)", "your codings (1)")
        assert "«wakker te schudden»" in scr
        t.send("c")
        t.wait_for("code: ")
        t.send("+")
        t.wait_for("Enter: make a new code «»")
        t.send("\x1b")
        t.wait_for("no code added")
        t.send("q")
        out = t.finish()
    finally:
        t.kill()
    assert t.proc.returncode == 0, out
    with Project.open(review_project) as p:
        [c] = p.coding_rows(coders=["anna"])
        assert (c["code"], c["fragment"], c["text"]) == ("discretion.wakker_te_schudden", "T02_r1:2",
                                                         "wakker te schudden")
        code = p.codebook().codes["discretion.wakker_te_schudden"]
        assert (code.definition, code.examples) == ("Druk zetten.", ["wakker te schudden"])
