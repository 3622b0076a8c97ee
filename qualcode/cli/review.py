"""``qualcode review``: the interactive coding screen, and ``--accept-all`` for pipelines.

The screen is a thin layer over :class:`qualcode.coding.review.ReviewSession`: keys become session
calls, the session's :class:`~qualcode.coding.review.FragmentView` is drawn with rich. On a terminal
keys are read raw (termios cbreak + select for escape sequences); when stdin is not a terminal
one command is read per line (``a``, ``r 2``, ``c logic.market``, ``j Hvs01_g1:5``, ``q``), so
the same screen can be scripted and tested without a terminal; a prompt reads the next line.

``c`` with a name no code has (or ``c +NAME``) makes a new code: it asks where it goes, which
words of the turn to code (the name itself when the respondent said it) and a definition, then
codes the turn with it in one step (:meth:`ReviewSession.create_code`).

Why redraw everything each step: it keeps the screen right in any plain 80x24 terminal (and in
tmux) without cursor bookkeeping; a frame is a few dozen short lines.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import info
from qualcode.coding.review import ReviewSession
from qualcode.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from qualcode.coding.review import CodeHit, ReviewSession

HELP_FULL = "a/1-9 accept  r reject  c code  s stance  n narrow  m memo  d def  u undo  j jump  h/l move  q quit"
HELP_SHORT = "a/1-9 acc r rej c code s stance n narrow m memo d def u undo j jump h/l q ?"
KEYS_HELP = [
    ("a, 1-9", "accept the first / the numbered suggestion"),
    ("r", "reject a suggestion (asks which when several are open)"),
    ("c", "add a code: type part of an id or label; Enter = top hit, 1-9 = pick"),
    ("c +NAME", "make a new code (also offered when no code matches): where, which words, definition"),
    ("s", "stance of your last coding: e/r/d/b (endorses, rejects, ...), - none"),
    ("n", "narrow your last coding (or first suggestion) to a quote"),
    ("m", "write a memo on this turn"),
    ("d", "definition, include, exclude, examples of a suggestion's code"),
    ("u", "undo your last decision in this session"),
    ("j", "jump to a fragment id (or a turn number in this transcript)"),
    ("space l →", "next turn (open suggestions stay open)"),
    ("h ←", "previous turn"),
    ("↑ ↓", "scroll a long turn (or this panel)"),
    ("q", "quit; the next review starts here"),
]
STANCE_PROMPT = "stance: e endorses, r rejects, d distances, b describes, - none"
YES = ("y", "yes", "j", "ja")


@dataclass(frozen=True)
class NewName:
    """The code prompt's answer when the coder wants a new code (``+NAME``, or a name no code has)."""

    name: str
    confirmed: bool  # +NAME, or Enter on "no code matches" at the terminal: no need to ask again


# -- input --------------------------------------------------------------------------------------
class RawKeys:
    """Single keys from a terminal in cbreak mode (no echo, no line buffering; Ctrl-C still works)."""

    SEQUENCES = {
        "[A": "up", "[B": "down", "[C": "right", "[D": "left",
        "OA": "up", "OB": "down", "OC": "right", "OD": "left",
        "[5~": "pageup", "[6~": "pagedown", "[H": "home", "[F": "end",
    }

    def __init__(self, fd: int) -> None:
        import termios
        import tty

        self.fd = fd
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)

    def restore(self) -> None:
        import termios

        termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def _ready(self, timeout: float) -> bool:
        import select

        return bool(select.select([self.fd], [], [], timeout)[0])

    def read(self) -> str | None:
        """One key: a character, or a name (enter, esc, backspace, left, right, up, down...); None at EOF."""
        b = os.read(self.fd, 1)
        if not b:
            return None
        if b == b"\x1b":
            seq = b""
            while len(seq) < 6 and self._ready(0.05):
                seq += os.read(self.fd, 1)
                if len(seq) >= 2 and (seq[-1:].isalpha() or seq[-1:] == b"~"):
                    break
            return "esc" if not seq else self.SEQUENCES.get(seq.decode("ascii", "replace"), "unknown")
        if b in (b"\r", b"\n"):
            return "enter"
        if b in (b"\x7f", b"\x08"):
            return "backspace"
        if b == b"\x15":
            return "ctrl-u"
        if b in (b"\x03", b"\x04"):
            return "quit"
        first = b[0]
        extra = 1 if first >> 5 == 0b110 else 2 if first >> 4 == 0b1110 else 3 if first >> 3 == 0b11110 else 0
        for _ in range(extra):
            b += os.read(self.fd, 1)
        return b.decode("utf-8", "replace")


class LineCommands:
    """One command per line (stdin is not a terminal): ``KEY [ARGUMENT]``."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def read_line(self) -> str | None:
        line = self.stream.readline()
        if line == "":
            return None
        return line.rstrip("\r\n")


# -- the screen ---------------------------------------------------------------------------------
# Key (or typed command) -> the ReviewScreen method ``_<name>`` that carries it out.
KEYS = {
    " ": "next", "l": "next", "right": "next", "next": "next", "enter": "next", "skip": "next",
    "h": "prev", "left": "prev", "prev": "prev",
    "r": "reject", "c": "code", "s": "stance", "n": "narrow", "m": "memo",
    "d": "definition", "?": "help", "u": "undo", "j": "jump",
    "esc": "ignore", "unknown": "ignore",
}
SCROLL_KEYS = ("down", "pagedown", "up", "pageup")


def _edited(typed: str, key: str) -> str:
    """The typed text after one key of a line editor: backspace, ctrl-u (clear) or a character."""
    if key == "backspace":
        return typed[:-1]
    if key == "ctrl-u":
        return ""
    return typed + key if len(key) == 1 and key.isprintable() else typed


class ReviewScreen:
    """Draws the session and turns keys (or command lines) into session calls."""

    def __init__(self, session: ReviewSession, console: Console, keys: RawKeys | None = None,
                 lines: LineCommands | None = None) -> None:
        self.s = session
        self.console = console
        self.keys = keys
        self.lines = lines
        self.message = ""
        self.message_style = ""
        self.panel: list[Text] | None = None
        self.panel_scroll = 0
        self.scroll = 0
        if session.resumed:
            self.say(f"resumed at {session.fragment_id}")

    # -- messages --------------------------------------------------------------------------
    def say(self, message: str, style: str = "green") -> None:
        self.message, self.message_style = message, style

    def error(self, message: str) -> None:
        self.say(message, "bold red")

    # -- drawing ---------------------------------------------------------------------------
    def _wrap(self, text: Text, width: int) -> list[Text]:
        return list(text.wrap(self.console, width, overflow="fold"))

    def _line(self, text: Text, width: int) -> Text:
        t = text.copy()
        t.no_wrap = True
        t.truncate(width, overflow="ellipsis")
        return t

    def _rule(self, title: str, width: int) -> Text:
        from rich.text import Text

        if len(title) > width - 5:
            title = title[: width - 6] + "…"
        head = f"── {title} "
        return Text(head + "─" * max(0, width - len(head)), style="dim")

    def frame(self, prompt: tuple[str, str] | None = None) -> list[Text]:
        """The screen as lines no wider than the console (and, on a terminal, exactly its height)."""
        from rich.text import Text

        v = self.s.view()
        width = max(40, self.console.width)
        height = max(12, self.console.height)
        fit = self.console.is_terminal

        head = Text()
        head.append(f" {v.id} ", style="bold reverse")
        head.append(f"  {v.position}/{v.total}")
        head.append(f"  case {v.case or '-'}")
        head.append(f"  coder {self.s.coder}", style="bold")
        if v.blind:
            head.append("  [blind]", style="bold magenta")
        if v.memos:
            head.append(f"  memos {len(v.memos)}", style="cyan")
        top = [self._line(head, width)]

        if v.previous is not None:
            prev_text = " ".join(v.previous.text.split())
            prev = Text(f"{v.previous.speaker}: ", style="dim bold") + Text(prev_text, style="dim")
            prev_lines = self._wrap(prev, width)
            if len(prev_lines) > 2:
                second = prev_lines[1].copy()
                second.truncate(width - 2)
                second.rstrip()
                prev_lines = [prev_lines[0], second + Text(" …", style="dim")]
            top += prev_lines
        else:
            top.append(Text("(first turn)", style="dim"))

        body = Text(f"{v.speaker}: ", style="bold")
        offset = len(body.plain)
        body.append(v.text)
        for c in v.codings:
            if not c.whole:
                body.stylize("underline", offset + c.start, offset + c.end)
        for a, b in v.highlights():
            body.stylize("bold black on yellow", offset + a, offset + b)
        frag_lines = self._wrap(body, width)

        lower: list[Text] = []
        compact: list[Text] = []  # the same with one line per suggestion, when the screen is short
        if self.panel is not None:
            lower = list(self.panel)
        else:
            if not v.blind:
                title = self._rule(f"suggestions ({len(v.suggestions)} open)", width)
                lower.append(title)
                compact.append(title)
                for sv in v.suggestions:
                    t = Text()
                    t.append(f"{sv.number} ", style="bold cyan")
                    t.append(f"{sv.score:.2f} ", style="cyan")
                    t.append(sv.code, style="bold")
                    if sv.stance:
                        t.append(f" [{sv.stance}]", style="magenta")
                    words = list(dict.fromkeys(e.words + ("+" if e.reason_cue else "") for e in sv.evidence))
                    evidence = Text("  ← " + ", ".join(words), style="yellow") if words else Text("")
                    lower.append(self._line(t, width))
                    lower.append(self._line(Text(f"       {sv.label}") + evidence, width))
                    compact.append(self._line(t + Text(f" {sv.label}") + evidence, width))
            mine = [self._rule(f"your codings ({len(v.codings)})", width)]
            for c in v.codings:
                t = Text("• ", style="green")
                t.append(c.code, style="bold green")
                t.append(f" {c.label}")
                if c.stance:
                    t.append(f" [{c.stance}]", style="magenta")
                t.append("  whole turn" if c.whole else f"  «{' '.join(c.text.split())}»", style="dim")
                if c.memo:
                    t.append("  (memo)", style="cyan")
                mine.append(self._line(t, width))
            if v.other_codings:
                others = ", ".join(f"{c.coder}: {c.code}" for c in v.other_codings)
                mine.append(self._line(Text(f"others  {others}", style="dim"), width))
            lower += mine
            compact += mine

        bottom = [self._line(Text(self.message, style=self.message_style), width)]
        if prompt is not None:
            label, typed = prompt
            room = width - 1 - len(label)  # keep the cursor on this line
            shown = typed if len(typed) <= room else "…" + typed[-(room - 1):]
            bottom.append(self._line(Text(label, style="bold") + Text(shown), width - 1))
        else:
            keys = HELP_FULL if len(HELP_FULL) <= width else HELP_SHORT
            bottom.append(self._line(Text(keys, style="reverse"), width))

        if not fit:
            return top + frag_lines + lower + bottom
        # Fit the terminal: the turn keeps at least 3 lines; lists are cut first, then the turn scrolls.
        room = height - len(top) - len(bottom)
        min_frag = min(len(frag_lines), 3)
        if compact and len(lower) + len(frag_lines) > room:
            lower = compact
        if self.panel is not None and len(lower) > room - min_frag:
            # A long panel (definition, keys) scrolls with ↑/↓ below its title line.
            window = max(1, room - min_frag - 2)
            self.panel_scroll = max(0, min(self.panel_scroll, len(lower) - 1 - window))
            panel_body = lower[1 + self.panel_scroll : 1 + self.panel_scroll + window]
            below = len(lower) - 1 - self.panel_scroll - len(panel_body)
            status = f"↑ {self.panel_scroll} above  " if self.panel_scroll else ""
            status += f"↓ {below} more line(s)" if below else "(end)"
            lower = [lower[0], *panel_body, Text(status, style="dim")]
        elif len(lower) > room - min_frag:
            keep = max(0, room - min_frag - 1)
            cut = len(lower) - keep
            lower = lower[:keep] + [Text(f"… {cut} more line(s)", style="dim")]
        frag_room = room - len(lower)
        if len(frag_lines) > frag_room:
            self.scroll = max(0, min(self.scroll, len(frag_lines) - frag_room + 1))
            visible = frag_lines[self.scroll : self.scroll + frag_room - 1]
            rest = len(frag_lines) - self.scroll - len(visible)
            more = f"… ↓ {rest} more line(s)" if rest else "(end of turn)"
            if self.scroll:
                more += f"  ↑ {self.scroll} above"
            frag_lines = visible + [Text(more, style="dim italic")]
        else:
            self.scroll = 0
        filler = [Text("")] * max(0, height - len(top) - len(frag_lines) - len(lower) - len(bottom))
        return top + frag_lines + lower + filler + bottom

    def draw(self, prompt: tuple[str, str] | None = None) -> None:
        from rich.text import Text

        lines = self.frame(prompt)
        if self.console.is_terminal:
            self.console.clear()
            self.console.print(Text("\n").join(lines), end="", soft_wrap=True)
        else:
            self.console.print(Text("\n").join(lines), soft_wrap=True)
            self.console.print("")
        self.console.file.flush()

    # -- prompts ---------------------------------------------------------------------------
    def ask(self, label: str, live: Callable[[str], list[Text] | None] | None = None) -> str | None:
        """A line of text: typed on the bottom line (Esc cancels), or the next input line."""
        if self.lines is not None:
            return self.lines.read_line()
        typed = ""
        while True:
            if live is not None:
                self.panel = live(typed)
            self.draw(prompt=(label, typed))
            k = self.keys.read() if self.keys else None
            if k is None or k == "quit":
                return None
            if k == "enter":
                return typed
            if k == "esc":
                return None
            typed = _edited(typed, k)

    def ask_key(self, label: str) -> str | None:
        """One key (raw) or the first word of the next input line."""
        if self.lines is not None:
            line = self.lines.read_line()
            return None if line is None else (line.strip() or "enter")
        self.draw(prompt=(label, ""))
        return self.keys.read() if self.keys else None

    def _unmatched(self, text: str) -> bool:
        """A name that is no code and that the code search finds nothing for (``QUERY N`` is
        looked up as QUERY, as the code prompt reads it)."""
        t = text.strip()
        m = re.fullmatch(r"(.*\S)\s+(\d)", t)
        query = m.group(1) if m else t
        return bool(t) and t not in self.s.codebook.codes and not t.isdigit() and not self.s.search_codes(query)

    def _hits_panel(self, title: str, hits: list[CodeHit], extra: list[Text]) -> list[Text]:
        from rich.text import Text

        panel = [self._rule(title, self.console.width)]
        for i, h in enumerate(hits, start=1):
            row = Text(f"{i} ", style="bold cyan") + Text(h.id, style="bold") + Text(f"  {h.label}")
            panel.append(self._line(row, self.console.width))
        return panel + extra

    def ask_code(self, initial: str | None = None) -> str | NewName | None:
        """The code prompt: live fuzzy list; Enter takes the top hit (or an exact id), 1-9 a listed
        one; ``+NAME``, or Enter when nothing matches, asks for a new code (:class:`NewName`)."""
        from rich.text import Text

        if self.lines is not None:
            text = initial if initial is not None else self.lines.read_line()
            if text is None:
                return None
            if text.strip().startswith("+"):
                return NewName(text.strip()[1:].strip(), confirmed=True)
            if self._unmatched(text):
                return NewName(text.strip(), confirmed=False)
            return self.s.resolve_code(text)
        hits: list[CodeHit] = []
        typed = ""
        while True:
            new = typed.strip().startswith("+")
            hits = self.s.search_codes(typed) if typed.strip() and not new else []
            extra: list[Text] = []
            if new:
                extra.append(Text(f"Enter: make a new code «{typed.strip()[1:].strip()}»", style="green"))
            elif typed.strip() and not hits:
                extra.append(Text("no code matches; Enter: make it a new code", style="green"))
            else:
                extra.append(Text("+NAME: a new code", style="dim"))
            self.panel = self._hits_panel("codes (Enter = 1, 1-9 = pick, Esc = cancel)", hits, extra)
            self.draw(prompt=("code: ", typed))
            k = self.keys.read() if self.keys else None
            if k is None or k in ("esc", "quit"):
                self.panel = None
                return None
            if k == "enter":
                self.panel = None
                if not typed.strip():
                    return None
                if new:
                    return NewName(typed.strip()[1:].strip(), confirmed=True)
                if not hits and typed.strip() not in self.s.codebook.codes:
                    return NewName(typed.strip(), confirmed=True)
                return self.s.resolve_code(typed)
            if len(k) == 1 and k in "123456789" and hits and int(k) <= len(hits):
                self.panel = None
                return hits[int(k) - 1].id
            typed = _edited(typed, k)

    def ask_parent(self, name: str) -> tuple[bool, str | None]:
        """Where a new code goes: (False, None) when cancelled, else (True, parent id or None for
        the top level). Live list over every code (grouping codes too)."""
        from rich.text import Text

        label = f"new code «{name}» goes under (Enter = top level, Esc = cancel): "
        if self.lines is not None:
            text = self.lines.read_line()
            return (False, None) if text is None else (True, self.s.resolve_parent(text))
        typed = ""
        while True:
            hits = self.s.search_parents(typed) if typed.strip() else []
            extra = [Text("Enter with nothing typed: the top level", style="dim")] if not typed.strip() else []
            if typed.strip() and not hits:
                extra.append(Text("no code matches", style="dim"))
            self.panel = self._hits_panel("under which code? (Enter = 1, 1-9 = pick)", hits, extra)
            self.draw(prompt=(label, typed))
            k = self.keys.read() if self.keys else None
            if k is None or k in ("esc", "quit"):
                self.panel = None
                return False, None
            if k == "enter":
                self.panel = None
                return True, self.s.resolve_parent(typed, hits)
            if len(k) == 1 and k in "123456789" and hits and int(k) <= len(hits):
                self.panel = None
                return True, hits[int(k) - 1].id
            typed = _edited(typed, k)

    # -- panels ----------------------------------------------------------------------------
    def definition_panel(self, code_id: str) -> list[Text]:
        from rich.text import Text

        width = self.console.width
        info_ = self.s.code_info(code_id)
        title = f"{info_.id}: {info_.label}" + (f" / {info_.label_en}" if info_.label_en != info_.label else "")
        out = [self._rule(title, width)]
        if info_.definition:
            out += self._wrap(Text(" ".join(info_.definition.split())), width)
        for title, items, style in (("include", info_.include, "green"), ("exclude", info_.exclude, "red"),
                                    ("examples", info_.examples, "dim")):
            for item in items:
                out += self._wrap(Text(f"{title}: ", style=f"bold {style}") + Text(" ".join(str(item).split())), width)
        if len(out) == 1:
            out.append(Text("(no definition in the codebook)", style="dim"))
        return out

    def help_panel(self) -> list[Text]:
        from rich.text import Text

        out = [self._rule("keys", self.console.width)]
        for k, what in KEYS_HELP:
            out.append(self._line(Text(f"{k:<10}", style="bold") + Text(what), self.console.width))
        return out

    # -- commands --------------------------------------------------------------------------
    def read_command(self) -> tuple[str | None, str | None]:
        if self.lines is not None:
            line = self.lines.read_line()
            if line is None:
                return None, None
            stripped = line.strip()
            if not stripped:
                return "next", None
            key, _, arg = stripped.partition(" ")
            return key, (arg.strip() or None)
        k = self.keys.read() if self.keys else None
        return k, None

    def run(self) -> None:
        """Draw, read a command, act; until q (or end of input). The position is saved on the way out."""
        try:
            while not self.s.finished:
                self.draw()
                key, arg = self.read_command()
                if key is None or key in ("q", "quit"):
                    break
                panel_before = self.panel
                self.panel = None
                if key not in ("down", "pagedown", "up", "pageup"):
                    self.panel_scroll = 0
                self.message = ""
                try:
                    self.dispatch(key, arg, panel_before)
                except InputError as exc:
                    self.error(str(exc))
        except KeyboardInterrupt:
            pass
        finally:
            self.s.quit()
            if self.keys is not None:
                self.keys.restore()
            if self.console.is_terminal:
                self.console.clear()
            n = len(self.s.decisions)
            self.console.print(
                f"review saved: {n} decision(s) this session; next time it starts at {self.s.fragment_id}"
            )

    def _number(self, arg: str | None) -> int | None:
        if arg is None:
            return None
        if not arg.isdigit():
            raise InputError(f"expected a number, not {arg!r}")
        return int(arg)

    def dispatch(self, key: str, arg: str | None, panel_before: list[Text] | None = None) -> None:
        """Carry out one key (or typed command): ``a`` and 1-9 accept, the arrow and page keys
        scroll, every other key maps to the method named in :data:`KEYS`."""
        if key == "a" or (len(key) == 1 and key in "123456789"):
            self._accept(key, arg)
        elif key in SCROLL_KEYS:
            self._scroll(key, panel_before)
        elif key in KEYS:
            getattr(self, f"_{KEYS[key]}")(arg)
        else:
            self.error(f"unknown key {key!r}; ? shows the keys")

    def _next(self, arg: str | None) -> None:
        s = self.s
        if s.next():
            self.scroll = 0
            return
        left = s.open_suggestions_left()
        if left:
            self.say(f"end of the queue ({left} open suggestion(s) left; j to jump, q to quit)", "yellow")
        else:
            self.say("end of the queue, and no open suggestions left: q to quit", "yellow")

    def _prev(self, arg: str | None) -> None:
        if self.s.prev():
            self.scroll = 0
        else:
            self.say("this is the first turn", "yellow")

    def _scroll(self, key: str, panel_before: list[Text] | None) -> None:
        step = (1 if key in ("down", "up") else 5) * (1 if key in ("down", "pagedown") else -1)
        self.panel = panel_before
        if self.panel is not None:
            self.panel_scroll = max(0, self.panel_scroll + step)
        else:
            self.scroll = max(0, self.scroll + step)

    def _accept(self, key: str, arg: str | None) -> None:
        s = self.s
        n = int(key) if key != "a" else (self._number(arg) or 1)
        sv = s.suggestion_at(n) if (s.view().suggestions and not s.blind) or n > 1 else None
        cid = s.accept(sv)
        self.say(f"accepted {s.decisions[-1].detail.removeprefix('accepted ')} (coding {cid})")

    def _code(self, arg: str | None) -> None:
        code = self.ask_code(arg)
        if code is None:
            self.say("no code added", "yellow")
            return
        if isinstance(code, NewName):
            self._new_code(code)
            return
        cid = self.s.add_code(code)
        self.say(f"coded {code} (coding {cid})")

    def _new_code(self, new: NewName) -> None:
        """In-vivo coding: a name no code has becomes a code (asked: where, which words, definition)."""
        s = self.s
        if not new.name:
            raise InputError("type a name after + (c +NAME)")
        if not new.confirmed:
            answer = self.ask(f"no code matches «{new.name}»: make it a new code? y/n: ")
            if answer is None or answer.strip().lower() not in YES:
                self.say("no code added", "yellow")
                return
        chosen, parent = self.ask_parent(new.name)
        if not chosen:
            self.say("no code added", "yellow")
            return
        plan = s.plan_new_code(new.name, parent)
        default = f"«{plan.quote}»" if plan.quote is not None else "the whole turn"
        words = self.ask(f"words of the turn to code with {plan.id} (Enter = {default}): ")
        if words is None:
            self.say("no code added", "yellow")
            return
        plan = s.plan_new_code(new.name, parent, words or None)  # checks the words before asking more
        definition = self.ask(f"definition of {plan.id} (Enter = write it later): ")
        if definition is None:
            self.say("no code added", "yellow")
            return
        s.create_code(new.name, parent, words=words or None, definition=definition or None)
        where = f"under {parent}" if parent else "top level"
        coded = f"«{plan.quote}»" if plan.quote is not None else "the whole turn"
        later = "" if definition.strip() else "; definition: TODO"
        self.say(f"new code {plan.id} ({where}), coded {coded}{later}")

    def _memo(self, arg: str | None) -> None:
        s = self.s
        text = arg if arg is not None else self.ask(f"memo on {s.fragment_id}: ")
        if text is None or not text.strip():
            self.say("no memo written", "yellow")
            return
        s.memo(text)
        self.say("memo saved")

    def _definition(self, arg: str | None) -> None:
        self.panel = self.definition_panel(self._definition_target(arg))

    def _help(self, arg: str | None) -> None:
        self.panel = self.help_panel()

    def _undo(self, arg: str | None) -> None:
        d = self.s.undo_last()
        self.say(f"undone: {d.detail} on {d.fragment}")

    def _jump(self, arg: str | None) -> None:
        target = arg if arg is not None else self.ask("jump to (fragment id or turn number): ")
        if not target or not target.strip():
            return
        self.say(f"at {self.s.jump(target)}")
        self.scroll = 0

    def _ignore(self, arg: str | None) -> None:
        return None

    def _pick(self, what: str, key: str) -> int | None:
        """Which suggestion (raw keys, several open): a digit, Enter/space/the same key for 1; else None."""
        count = len(self.s.view().suggestions)
        k = self.ask_key(f"{what} which? 1-{min(count, 9)} (Enter = 1, Esc = cancel): ")
        if k is not None and len(k) == 1 and k in "123456789":
            return int(k)
        return 1 if k in ("enter", " ", key) else None

    def _reject(self, arg: str | None) -> None:
        s = self.s
        n = self._number(arg)
        if n is None and self.keys is not None and not s.blind and len(s.view().suggestions) > 1:
            n = self._pick("reject", "r")
            if n is None:
                self.say("nothing rejected", "yellow")
                return
        sv = s.suggestion_at(n) if n is not None else None
        s.reject(sv)
        self.say(s.decisions[-1].detail)

    def _stance(self, arg: str | None) -> None:
        s = self.s
        target = s.last_coding()
        if target is None:
            raise InputError("no coding of yours on this turn yet (accept or add one first)")
        value = arg if arg is not None else self.ask_key(STANCE_PROMPT + ": ")
        if value in (None, "esc", "quit"):
            self.say("stance unchanged", "yellow")
            return
        s.set_stance(target, value)
        self.say(s.decisions[-1].detail)

    def _narrow(self, arg: str | None) -> None:
        s = self.s
        v = s.view()
        target: Any = s.last_coding()
        if target is None:
            if not v.suggestions:
                raise InputError("nothing to narrow: no coding of yours and no open suggestion on this turn")
            target = v.suggestions[0]
        quote = arg if arg is not None else self.ask(f"narrow {target.code} to (a quote from the turn): ")
        if quote is None or not quote.strip():
            self.say("span unchanged", "yellow")
            return
        s.narrow_quote(target, quote)
        self.say(f"{s.decisions[-1].detail}: «{quote.strip()}»")

    def _definition_target(self, arg: str | None) -> str:
        s = self.s
        v = s.view()
        if arg:
            if arg.isdigit():
                return s.suggestion_at(int(arg)).code
            return s.resolve_code(arg)
        if v.suggestions:
            n = self._pick("definition of", "d") if self.keys is not None and len(v.suggestions) > 1 else 1
            if n is None:
                raise InputError("no definition chosen")
            return s.suggestion_at(n).code
        last = s.last_coding()
        if last is not None:
            return last.code
        raise InputError("no suggestion or coding here; use d CODE (e.g. d logic.market)")


def run_review(session: ReviewSession, stdin: Any = None, console: Console | None = None) -> None:
    """Run the screen for ``session``: raw keys when stdin is a terminal, else one command a line."""
    from rich.console import Console

    stdin = stdin if stdin is not None else sys.stdin
    console = console or Console(highlight=False)
    keys = lines = None
    try:
        is_tty = stdin.isatty()
    except (AttributeError, ValueError):
        is_tty = False
    if is_tty:
        keys = RawKeys(stdin.fileno())
    else:
        lines = LineCommands(stdin)
    ReviewScreen(session, console, keys=keys, lines=lines).run()


@app.command("review")
def review_cli(
    transcripts: list[str] = typer.Argument(None, help="Transcript ids (default: all)."),
    coder: str = typer.Option(None, "--coder", help="Who codes (required)."),
    blind: bool = typer.Option(False, "--blind", help="Second coder: hide suggestions and other coders' codings."),
    min_score: float = typer.Option(0.0, "--min-score", help="Only suggestions scoring at least this (0-1)."),
    engine: str = typer.Option(None, "--engine", "-e", help="Only suggestions of this engine (rules, model)."),
    accept_all: bool = typer.Option(False, "--accept-all", help="No screen: accept every open suggestion as one run."),
) -> None:
    """Code respondent turns one by one: accept or reject suggestions, add codes, memos, undo.

    Each decision is saved at once; quitting and coming back resumes where you stopped. Keys are
    shown at the bottom of the screen (? for all). Without a terminal, commands are read one per
    line from stdin (a, 2, r, c logic.market, s r, n QUOTE, m TEXT, u, j Hvs01_g1:5, l, h, q).

    New codes while coding: c with a name that no code has (or c +NAME) offers to make it. It
    asks under which code it goes, which words of the turn to code (the name itself when the
    respondent said it: in-vivo coding) and a definition; the code is added to the codebook
    with those words as its first example and the turn is coded with it, in one step that u
    takes back. The new code can be used at once.

    Examples:

      qualcode review --coder anna

      qualcode review Hvs01_g1 --coder bob --blind

      qualcode review --coder anna --accept-all --min-score 0.6
    """
    if not coder or not coder.strip():
        raise InputError("give a coder name with --coder NAME")
    if accept_all:
        if blind:
            raise InputError("--accept-all accepts suggestions, which --blind hides; use one or the other")
        with open_project() as project:
            run_id, n = project.accept_all(coder=coder, min_score=min_score, engine=engine,
                                           transcripts=transcripts or None)
        undo = f" (run {run_id}; undo with `qualcode runs undo {run_id}`)" if run_id else ""
        info(f"accepted {n} suggestion(s) as coder {coder}{undo}")
        return

    with open_project() as project:
        session = project.review(coder, transcripts or None, blind=blind, min_score=min_score, engine=engine)
        run_review(session)
