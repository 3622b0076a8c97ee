"""The documentation keeps up with the CLI: docs/cli.md is current, every command has help, and every
``$ qualcode ...`` line in README.md runs on the sample project.

Why: the README walkthrough is the first thing a researcher copies from; a renamed flag should fail
here, not in their terminal.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import get_app

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
CLI_MD = REPO / "docs" / "cli.md"


def _gen_cli():
    spec = importlib.util.spec_from_file_location("gen_cli", REPO / "docs" / "gen_cli.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_cli"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gen_cli = _gen_cli()


def _commands() -> list:
    return list(gen_cli.command_tree().walk())


# -- docs/cli.md ----------------------------------------------------------------------------------------
def test_cli_reference_is_current() -> None:
    assert CLI_MD.exists(), "docs/cli.md is missing: run `make docs`"
    current, fresh = CLI_MD.read_text(encoding="utf-8"), gen_cli.render()
    if current != fresh:
        diff = difflib.unified_diff(current.splitlines(), fresh.splitlines(), "docs/cli.md", "generated", lineterm="")
        pytest.fail("docs/cli.md is stale: run `make docs`\n" + "\n".join(list(diff)[:40]), pytrace=False)


def test_every_command_has_help() -> None:
    missing = [node.name for node in _commands() if not node.help.strip()]
    assert not missing, f"commands without help text: {missing}"


def test_every_option_has_help() -> None:
    missing = [
        f"{node.name} {param.opts[0] if param.opts else param.name}"
        for node in _commands()
        for param in gen_cli._options(node.command)
        if not (param.help or "").strip()
    ]
    assert not missing, f"options without help text: {missing}"


def commands_without_examples() -> list[str]:
    """Commands (not groups) whose help has no ``Example:``/``Examples:`` block. Not a failure yet: see issue 11."""
    return [node.name for node in _commands() if not node.is_group and not gen_cli.split_help(node.help)[1]]


def test_split_help_reads_both_example_forms() -> None:
    text = "Do a thing.\n\nExample:  qualcode a --b\n"
    assert gen_cli.split_help(text) == ("Do a thing.", ["qualcode a --b"])
    text = "Do a thing.\n\nExamples:\n\n  qualcode a\n\n  qualcode a --b c\n"
    assert gen_cli.split_help(text) == ("Do a thing.", ["qualcode a", "qualcode a --b c"])


def test_help_examples_parse() -> None:
    """Every example in the help (and the root's "typical session") names real commands and options with
    valid values: each is parsed by the command it names, without running it."""
    root = gen_cli.command_tree()
    nodes = {node.path: node for node in root.walk()}
    failures = []
    for node in root.walk():
        examples = gen_cli.split_help(node.help)[1]
        if node is root:
            examples = [line.strip() for line in node.help.splitlines() if line.strip().startswith("qualcode ")]
        for example in examples:
            example = re.sub(r"\s{2,}\(.*\)$", "", example)  # `qualcode x    (writes y)`: a comment
            for part in example.split("&&"):
                words = shell_words(part.strip())
                if words[0] != "qualcode":  # `cd mystudy`
                    continue
                path, rest = ("qualcode",), words[1:]
                while rest and (*path, rest[0]) in nodes:
                    path, rest = (*path, rest[0]), rest[1:]
                try:
                    nodes[path].command.make_context(" ".join(path), rest)
                except Exception as exc:  # Click's UsageError/BadParameter (Typer may bring its own Click)
                    failures.append(f"  {node.name}: {part.strip()}\n    {type(exc).__name__}: {exc}")
    assert not failures, "help examples that do not parse:\n" + "\n".join(failures)


def test_every_command_is_documented() -> None:
    """Each command is in the README walkthrough or in docs/cli.md (under its own heading)."""
    readme = "\n".join(readme_lines())
    reference = CLI_MD.read_text(encoding="utf-8")
    missing = [
        node.name
        for node in _commands()
        if not re.search(rf"^\$ {re.escape(node.name)}\b", readme, re.M) and f"`{node.name}`\n" not in reference
    ]
    assert not missing, f"commands documented nowhere: {missing}"


# -- every README command runs ---------------------------------------------------------------------------
def readme_lines() -> list[str]:
    """The ``$ ...`` lines of README.md's console blocks, in order, without their ``# comments``."""
    text = README.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ "):
                lines.append(re.sub(r"\s+#\s.*$", "", line[2:]).strip())  # (no README command quotes a " # ")
    return lines


def shell_words(command: str) -> list[str]:
    """Words as a POSIX shell splits them, with ``&&`` and ``|`` as words of their own."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _fresh_sample(root: Path) -> Path:
    """A copy of the bundled sample project (without its database or exports)."""
    sample = root / "sample"
    sample.mkdir()
    shutil.copy(REPO / "qualcode.toml", sample)
    shutil.copytree(REPO / "transcripts", sample / "transcripts")
    shutil.copytree(REPO / "codebooks", sample / "codebooks")
    return sample


def _copy_interviews(cwd: Path) -> None:
    """Stand-in for `cp ~/interviews/*.docx transcripts/`: two sample interviews, and the int07.txt the
    README anonymises next (with a phone number in it, so there is something to replace)."""
    for name in ("Hvs02_r1.txt", "Hvs02_r2.txt"):
        shutil.copy(REPO / "transcripts" / name, cwd / "transcripts" / name)
    (cwd / "transcripts" / "int07.txt").write_text(
        "---\ngemeente: Havenstad\n---\nI: Hoe bereiken klanten je?\nR: Ze bellen me op 06-12345678, "
        "omdat dat sneller gaat dan de mail.\n",
        encoding="utf-8",
    )


def _copy_tool_exports(cwd: Path) -> None:
    """Stand-in for copying what other programs exported (README "Other QDA tools"): Taguette's own
    codebook.qdc and qc's own QDPX (tests/data/tools), and a Taguette highlights export of this
    project's transcripts, as Taguette writes it (CRLF, one row per highlight and tag, a document
    name that is not the transcript id, a tag path with '/', a highlight over two turns)."""
    import csv
    import io

    from qualcode.project import Project

    tools = REPO / "tests" / "data" / "tools"
    shutil.copy(tools / "taguette" / "codebook.qdc", cwd / "codebook.qdc")
    shutil.copy(tools / "qc" / "demo-like.qdpx", cwd / "qc-project.qdpx")
    rows = []
    with Project.open(cwd) as project:
        code = next(c.id for c in project.codebook().codes.values() if c.codable and c.id.startswith("logic."))
        for t in project.transcript_rows()[:2]:
            turns = project.transcript(t["id"])["fragments"]
            first, (answer, question) = next(f for f in turns if not f["interviewer"]), next(
                (a, q) for a, q in zip(turns, turns[1:]) if not a["interviewer"] and q["interviewer"])
            document = t["id"].replace("_", " ")
            rows.append([len(rows) + 1, document, code.replace(".", "/"), first["text"]])
            rows.append([len(rows) + 1, document, code,
                         f"{answer['text']} {question['speaker']}: {question['text'][:40]}"])
    assert rows, "the README's Taguette example needs a project with transcripts"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([["id", "document", "tag", "content"], *rows])
    (cwd / "all_tags.csv").write_text(out.getvalue(), encoding="utf-8", newline="")


# Lines a script cannot run as written, each with its reason. Every key must be a README line (checked).
SKIP = {
    "make report-screenshot": "needs Chromium and draws a picture; not a qualcode command",
}
def _gold_file(cwd: Path) -> None:
    """Stand-in for a researcher's own gold file: quotes with the codes they carry, as text and as
    fragment ids of the sample project."""
    (cwd / "mine.csv").write_text(
        "text,labels\n"
        "\"Ik kijk per klant wat past, elke klant is anders.\",logic.professional\n"
        "\"Dat moet van de wet, zo zijn de regels.\",logic.bureaucratic\n"
        "\"We worden afgerekend op uitstroomcijfers; ik heb geen tijd voor iedereen.\","
        "\"logic.market;discretion.coping\"\n",
        encoding="utf-8",
    )


def _anna_codes_by_hand(cwd: Path) -> None:
    """"After coding": anna codes two turns by hand (the walkthrough's own manual coding was undone by
    `qualcode runs undo 7`)."""
    from qualcode.project import Project

    with Project.open(cwd) as project:
        project.code("Hvs01_g1:33", ["logic.market"], coder="anna")
        project.code("Hvs01_g1:2", ["logic.professional"], coder="anna")


# What a person would have done before a line (a file written, turns coded): done before the line runs.
BEFORE = {
    "qualcode evaluate --gold mine.csv": _gold_file,
    "qualcode evaluate --coder anna --manual-only": _anna_codes_by_hand,
}
# Shell lines: what the test does instead.
SHELL = {
    "cp ~/interviews/*.docx transcripts/": _copy_interviews,
    "cp ~/Downloads/all_tags.csv ~/Downloads/codebook.qdc ~/Downloads/qc-project.qdpx .": _copy_tool_exports,
}
# Commands that read the keyboard get scripted answers on stdin (not a terminal, so they read one per line).
STDIN = {
    # accept the first suggestion and move on, five turns, then quit (the session resumes next time)
    "qualcode review Hvs01_g1 --coder anna": "a\nl\n" * 5 + "q\n",
    # bram's blind review happens on his machine; here he quits at once (his codings come from a file, below)
    "qualcode review --coder bram --blind": "q\n",
    # keep anna's codes on every disputed turn
    "qualcode consensus --coder anna --coder bram --as consensus": "a\n" * 500,
}
# What a person would have done between two lines, at the keyboard or on another machine; run after the line.
THEN = {
    # the rest of anna's review, scripted the way `make demo` does it, so that `train` has enough examples
    "qualcode review Hvs01_g1 --coder anna": [["review", "--coder", "anna", "--accept-all", "--min-score", "0.5"]],
    # bram's blind codings, made elsewhere: the sample's second coder
    "qualcode review --coder bram --blind": [["import", "codings", "transcripts/codings-coder-b.csv", "--as", "bram"]],
}
# Exit codes other than 0 that the README documents.
EXIT = {
    # "checks anonymity first": int07.txt has a phone number, so it is reported and not ingested (exit 1)
    "qualcode ingest transcripts/": 1,
}


def test_readme_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = readme_lines()
    for rules in (SKIP, BEFORE, SHELL, STDIN, THEN):
        stale = [line for line in rules if line not in lines]
        assert not stale, f"rules for lines no longer in README.md (update tests/test_docs.py): {stale}"
    # both `qualcode ingest transcripts/` lines share the EXIT rule; the first runs on the (clean) sample
    sample = _fresh_sample(tmp_path)
    monkeypatch.chdir(sample)
    runner = CliRunner()
    app = get_app()

    def qualcode(args: list[str], stdin: str | None, expected: int, shown: str) -> None:
        result = runner.invoke(app, args, input=stdin if stdin is not None else "")
        assert result.exit_code == expected, (
            f"README line failed (cwd {Path.cwd().name}/): $ {shown}\n"
            f"exit {result.exit_code}, expected {expected}\n{result.output[-2000:]}"
        )

    # The walkthrough starts "after `make demo`": the sample is ingested.
    qualcode(["ingest", "transcripts/"], None, 0, "qualcode ingest transcripts/ (as make demo does)")
    ran = 0
    for line in lines:
        if line in SKIP:
            continue
        words = shell_words(line)
        parts = [words]
        while "&&" in parts[-1]:  # `qualcode init mystudy && cd mystudy`
            at = parts[-1].index("&&")
            parts[-1:] = [parts[-1][:at], parts[-1][at + 1 :]]
        for words in parts:
            if "|" in words:  # `... | head -40`: the command runs; what the pipe does with its output is not ours
                words = words[: words.index("|")]
            if line in SHELL:
                SHELL[line](Path.cwd())
            elif words[0] == "cd":
                monkeypatch.chdir(Path.cwd() / words[1])
            elif words[0] == "qualcode":
                if line in BEFORE:
                    BEFORE[line](Path.cwd())
                expected = EXIT.get(line, 0) if Path.cwd() != sample else 0
                qualcode(words[1:], STDIN.get(line), expected, line)
                ran += 1
                for extra in THEN.get(line, []):
                    qualcode(extra, None, 0, "qualcode " + shlex.join(extra) + f"   (stand-in after: {line})")
            else:
                pytest.fail(f"README line the test does not know how to run (add a rule): $ {line}")
    assert ran >= 30
