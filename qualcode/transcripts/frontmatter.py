"""The ``---`` YAML front-matter block at the top of a transcript.

The block names the transcript (``id``), its default case (``case``), the case behind each
speaker label in a group interview (``speakers``), and any number of typed case/transcript
attributes (``date: 2010-06-14``, ``gemeente: Amsterdam``, ``leeftijd: 45``).

Why the YAML is composed into nodes before it is turned into values: nodes keep the line of
every key, so an error names the file's own line (not the line inside the block), and nodes
keep the raw text of ``id`` and speaker labels (YAML would read ``id: 0012`` as the integer
12 and a speaker ``N:`` as ``False``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from qualcode.errors import InputError
from qualcode.transcripts.model import AttributeValue

NumberedLines = Sequence[tuple[int, str]]
"""``(line number, text)`` pairs: how txt lines and docx paragraphs reach the parsers."""

RESERVED_KEYS = ("id", "case", "speakers")
_FENCE = "---"
_CLOSERS = ("---", "...")
_SIMPLE_ID = re.compile(r"[A-Za-z0-9_.-]+")
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_SPEAKERS_HELP = "'speakers' must map each speaker label to a case id, e.g. 'R1: Adm09_r1'"


@dataclass
class FrontMatter:
    """What a front-matter block says. Empty (all defaults) when a file has none."""

    id: str | None = None
    case: str | None = None
    speakers: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    end_line: int = 0  # line of the closing fence; 0 when there is no block


def split_front_matter(text: str, file: str | Path | None) -> tuple[FrontMatter, str, int]:
    """Split canonical text into (front matter, body text, 1-based line number of the body)."""
    lines = list(enumerate(text.split("\n"), start=1))
    front, body = split_front_matter_lines(lines, file)
    first_line = body[0][0] if body else front.end_line + 1
    return front, "\n".join(t for _, t in body), first_line


def split_front_matter_lines(
    lines: NumberedLines, file: str | Path | None
) -> tuple[FrontMatter, list[tuple[int, str]]]:
    """Front matter from numbered lines, and the lines after it.

    The block must be the first non-blank thing in the file: a ``---`` line, YAML, and a
    closing ``---`` (or ``...``) line.
    """
    start = next((i for i, (_, t) in enumerate(lines) if t.strip()), None)
    if start is None or lines[start][1].rstrip() != _FENCE:
        return FrontMatter(), list(lines)
    open_line = lines[start][0]
    for end in range(start + 1, len(lines)):
        if lines[end][1].rstrip() in _CLOSERS:
            break
    else:
        raise InputError(
            "front matter opened with '---' here is never closed (add a '---' line after it)",
            file,
            open_line,
        )
    front = parse_front_matter(lines[start + 1 : end], file, close_line=lines[end][0])
    front.end_line = lines[end][0]
    return front, list(lines[end + 1 :])


def parse_front_matter(yaml_lines: NumberedLines, file: str | Path | None, close_line: int) -> FrontMatter:
    """Parse the YAML between the fences; errors carry the file's line numbers."""
    parser = _BlockParser(list(yaml_lines), file, close_line)
    return parser.parse()


class _BlockParser:
    """One block's YAML: the loader, the line mapping and the checks on reserved keys."""

    def __init__(self, lines: list[tuple[int, str]], file: str | Path | None, close_line: int) -> None:
        self.lines = lines
        self.file = file
        self.close_line = close_line
        self.loader = yaml.SafeLoader("\n".join(t for _, t in lines))

    def file_line(self, yaml_line: int) -> int:
        """Map a 0-based line inside the block to the file's line (the fence if past the end)."""
        if 0 <= yaml_line < len(self.lines):
            return self.lines[yaml_line][0]
        return self.close_line

    def error(self, message: str, node: yaml.Node) -> InputError:
        return InputError(message, self.file, self.file_line(node.start_mark.line))

    def parse(self) -> FrontMatter:
        try:
            root = self.loader.get_single_node()
            return self._mapping(root)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = self.file_line(mark.line) if mark is not None else self.close_line
            problem = err.problem or err.context or "syntax error"
            raise InputError(f"front matter is not valid YAML: {problem}", self.file, line) from None
        except yaml.YAMLError as err:
            raise InputError(f"front matter is not valid YAML: {err}", self.file, self.close_line) from None
        finally:
            self.loader.dispose()

    def _mapping(self, root: yaml.Node | None) -> FrontMatter:
        front = FrontMatter()
        if root is None:
            return front
        if not isinstance(root, yaml.MappingNode):
            raise self.error("front matter must be 'key: value' lines", root)
        seen: set[str] = set()
        for key_node, value_node in root.value:
            if not isinstance(key_node, yaml.ScalarNode) or not key_node.value.strip():
                raise self.error("front matter keys must be plain names", key_node)
            key = key_node.value.strip()
            if key in seen:
                raise self.error(f"duplicate key '{key}' in front matter", key_node)
            seen.add(key)
            if key == "id":
                front.id = self._id(value_node)
            elif key == "case":
                front.case = self._text(value_node, "case", "a case id")
            elif key == "speakers":
                front.speakers = self._speakers(value_node)
            else:
                value = self._attribute(key, key_node, value_node)
                if value is not None:
                    front.attributes[key] = value
        return front

    def _is_null(self, node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"

    def _id(self, node: yaml.Node) -> str | None:
        if self._is_null(node):
            return None
        if not isinstance(node, yaml.ScalarNode) or not _SIMPLE_ID.fullmatch(node.value.strip()):
            shown = node.value if isinstance(node, yaml.ScalarNode) else "a list or mapping"
            raise self.error(
                f"id '{shown}' is not a simple identifier (use letters, digits, '_', '.', '-')", node
            )
        return node.value.strip()

    def _text(self, node: yaml.Node, key: str, what: str) -> str | None:
        """A reserved key's raw scalar text (a case id may contain spaces: 'Den Haag')."""
        if self._is_null(node):
            return None
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip() or "\n" in node.value.strip():
            raise self.error(f"'{key}' must be {what} on one line", node)
        return node.value.strip()

    def _speakers(self, node: yaml.Node) -> dict[str, str]:
        if self._is_null(node):
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise self.error(_SPEAKERS_HELP, node)
        speakers: dict[str, str] = {}
        for label_node, case_node in node.value:
            label = self._text(label_node, "speakers", "a speaker label")
            case = self._text(case_node, f"speakers: {label}", "a case id")
            if label is None or case is None:
                raise self.error(_SPEAKERS_HELP, label_node)
            label = " ".join(label.split())
            if label in speakers:
                raise self.error(f"speaker '{label}' is listed twice under 'speakers'", label_node)
            speakers[label] = case
        return speakers

    def _attribute(self, key: str, key_node: yaml.Node, node: yaml.Node) -> AttributeValue | None:
        if not isinstance(node, yaml.ScalarNode):
            # Point at the key: a block mapping/list value starts on the line below it.
            raise self.error(f"attribute '{key}' must be a single value, not a list or mapping", key_node)
        # YAML 1.1 reads 1:12:30 as the base-60 integer 4350; in a transcript it is a duration.
        if node.tag in (_INT_TAG, _FLOAT_TAG) and ":" in node.value:
            return node.value
        value = self.loader.construct_object(node, deep=True)
        if value is None:
            return None  # `key:` with nothing after it: the attribute is not set
        if not isinstance(value, (str, int, float, bool, date)):
            kind = type(value).__name__
            raise self.error(f"attribute '{key}' has an unsupported value type ({kind})", node)
        return value


def typed_scalar(text: str) -> AttributeValue | None:
    """One value typed as a front-matter value would be: ``2025-03-12`` a date, ``45`` a number,
    ``true`` a boolean, anything else text (None for an empty value).

    Why not parse a one-line YAML document: header values are written by people, not for YAML
    ("Opmerking: zie bijlage: deel 2", "Ruimte: #3"), so only the scalar resolution is borrowed
    and a value YAML cannot type stays text. Durations such as ``1:12:30`` stay text, as in
    front matter.
    """
    value = text.strip()
    if not value:
        return None
    loader = yaml.SafeLoader("")
    try:
        tag = loader.resolve(yaml.ScalarNode, value, (True, False))
        if tag == "tag:yaml.org,2002:null" or (tag in (_INT_TAG, _FLOAT_TAG) and ":" in value):
            return value
        result = loader.construct_object(yaml.ScalarNode(tag, value), deep=True)
    except (yaml.YAMLError, ValueError, TypeError):
        return value
    finally:
        loader.dispose()
    if isinstance(result, (str, int, float, bool)) or type(result) is date:
        return result
    return value
