"""The imports in the documentation's Python examples name modules and names that exist.

The pages under docs/ show fragments (an account, a photo or a server of the reader's
is assumed), so they are not run as README.md's examples are; but every
``import removethebackground...`` and ``from removethebackground... import ...`` in a
```python block must work, so that a module moved or a name renamed shows up here.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def imports() -> list[tuple[str, str, str | None]]:
    """(where, module, name) for each import of the package in the docs' Python blocks."""
    found: list[tuple[str, str, str | None]] = []
    for page in sorted(DOCS.rglob("*.md")):
        for block in BLOCK.finditer(page.read_text(encoding="utf-8")):
            line = page.read_text(encoding="utf-8")[: block.start()].count("\n") + 1
            where = f"{page.relative_to(DOCS.parent)}:{line}"
            tree = ast.parse(block[1])  # a block that is not Python fails here
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "removethebackground"
                ):
                    found += [(where, node.module or "", alias.name) for alias in node.names]
                elif isinstance(node, ast.Import):
                    found += [
                        (where, alias.name, None)
                        for alias in node.names
                        if alias.name.startswith("removethebackground")
                    ]
    return found


IMPORTS = imports()


def test_the_docs_import_the_package() -> None:
    assert IMPORTS


@pytest.mark.parametrize(("where", "module", "name"), IMPORTS, ids=[i[0] for i in IMPORTS])
def test_docs_import_exists(where: str, module: str, name: str | None) -> None:
    mod = importlib.import_module(module)
    if name is not None:
        assert hasattr(mod, name) or importlib.util.find_spec(f"{module}.{name}"), (
            f"{where}: {module} has no {name}"
        )
