"""The layers of the code, as the README draws them: every import arrow points down.

    kb (the domain) <- search <- application <- web, cli

Read from the code's own imports, those inside functions included. Outside ``search/`` only its
interface is imported: a second engine replaces everything behind it. The CLI reaches the web
only to start it (`kb serve`)."""
import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = {"kb": 0, "search": 1, "application": 2, "web": 3, "cli": 3}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(REPO).parts[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = list(package[: len(package) - node.level + 1])
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def _modules():
    for top in LAYERS:
        yield from sorted((REPO / top).rglob("*.py"))


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(REPO)))
def test_every_import_points_down_and_search_is_reached_through_its_interface(path):
    own = path.relative_to(REPO).parts[0]
    for line, name in _imports(path):
        top = name.split(".")[0]
        where = f"{path.relative_to(REPO)}:{line} imports {name}"
        if top not in LAYERS or top == own:
            continue
        if own == "cli" and name == "web.server":
            continue  # `kb serve` starts the web: the one command whose job it is
        assert LAYERS[top] < LAYERS[own], f"{where}: an arrow pointing up (or across)"
        if top == "search":
            assert name == "search.interface", f"{where}: outside search/, only search.interface"
