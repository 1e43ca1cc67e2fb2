"""Commands to print for the user to type next, written the way this `kb` was started.

Someone who followed the README runs ``.venv/bin/kb``: `kb` is not on their PATH, so a hint
that says 「kb user add …」 fails as printed. The hint names the program as the shell found it
(``kb`` only when ``kb`` on the PATH is this very program), and repeats the options that choose
the site (``--config``, ``--content``), so that the command it prints reaches the same accounts.
"""
from __future__ import annotations

import os
import shlex
import shutil
import sys


def program() -> str:
    """How to start this `kb` again from the same shell and folder."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name.startswith("cli"):  # python -m cli
        return f"{shlex.quote(sys.executable)} -m cli"
    typed = sys.argv[0] if sys.argv and sys.argv[0] else "kb"
    name = os.path.basename(typed)
    found = shutil.which(name)
    if found and os.path.exists(typed) and os.path.samefile(found, typed):
        return name
    return shlex.quote(typed)


def command(args, *words: str) -> str:
    """``kb`` and ``words`` with the options of ``args`` that choose the site's folders."""
    parts = [program()]
    if getattr(args, "config", None):
        parts += ["--config", shlex.quote(str(args.config))]
    parts += words
    if getattr(args, "content", None):
        parts += ["--content", shlex.quote(str(args.content))]
    return " ".join(parts)
