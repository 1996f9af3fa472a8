"""A Griffe extension for the API reference: the docstrings' reStructuredText, as Markdown.

The docstrings use Google-style sections (``Args:``, ``Attributes:``) with a little
reStructuredText inside: Sphinx roles (``:class:`~removethebackground.Binding```),
``::`` before a literal block, and a few simple tables. mkdocstrings renders docstrings
as Markdown, so before it does, this extension (``mkdocs.yml``: the python handler's
``extensions``) rewrites those three forms:

- a role becomes inline code of its target (``~`` keeps only the last name, as Sphinx
  shows it);
- ``text::`` becomes ``text:`` and a ``::`` line alone goes; the indented block after it
  is a Markdown code block already;
- a simple table (``====  ====`` borders) becomes a list, one item per row.

Nothing else changes, and the source files are not touched.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(?P<target>[^`]+)`")
TABLE_BORDER = re.compile(r"^(?P<indent>\s*)=+(?: +=+)+\s*$")


def _role(match: re.Match[str]) -> str:
    target = match["target"].strip()
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


def _columns(border: str) -> list[int]:
    """Where each column of a simple table starts, from its border line."""
    return [m.start() for m in re.finditer(r"=+", border)]


def _table(lines: list[str], indent: str) -> list[str]:
    """A simple table's rows (between its borders) as a Markdown list."""
    starts = _columns(lines[0])
    items: list[str] = []
    for line in lines[1:-1]:
        if TABLE_BORDER.match(line) or not line.strip():
            continue
        cells = [
            line[start : (starts[i + 1] if i + 1 < len(starts) else None)].strip()
            for i, start in enumerate(starts)
        ]
        items.append(f"{indent}- {cells[0]}: {' '.join(c for c in cells[1:] if c)}")
    return ["", *items, ""]


def rst_to_markdown(text: str) -> str:
    """The docstring ``text`` with its roles, literal markers and simple tables rewritten."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        border = TABLE_BORDER.match(line)
        if border:
            # The table ends at the first border after it that a blank line (or the end) follows.
            end = next(
                (
                    j
                    for j in range(i + 1, len(lines))
                    if TABLE_BORDER.match(lines[j])
                    and (j + 1 == len(lines) or not lines[j + 1].strip())
                ),
                None,
            )
            if end is not None:
                out.extend(_table(lines[i : end + 1], border["indent"]))
                i = end + 1
                continue
        if line.strip() == "::":
            i += 1
            continue
        if line.rstrip().endswith("::"):
            line = line.rstrip()[:-1]
        out.append(line)
        i += 1
    return ROLE.sub(_role, "\n".join(out))


class RstDocstrings(griffe.Extension):
    """Rewrite every docstring once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rst_to_markdown(obj.docstring.value)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        # The top package gets no on_object event of its own.
        self.on_object(obj=pkg)
