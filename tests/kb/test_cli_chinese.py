"""`kb --help`, every subcommand's help and argparse's own errors are Chinese throughout; every
option says what it is for; help lines up and fits a terminal by its columns."""
import argparse
import ast
import gettext
import inspect
import re

import pytest

from cli.chinese import CATALOG, PLURALS, width, wrap
from cli.main import build_parser, main

CJK = re.compile(r"[\u4e00-\u9fff]")
#: What argparse writes in English, should any of it get through.
ENGLISH = re.compile(r"usage|options|positional|arguments?\b|show this|help message|error|required|invalid|choose|"
                     r"expected|unrecognized|ambiguous|not allowed", re.I)
COMMANDS = ["serve", "index", "check", "search", "review", "new", "import", "links", "user", "remind", "digest", "group"]


def argparse_messages() -> set:
    """Every message the running Python's argparse passes through gettext."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            texts = tuple(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
            if texts:
                found.add(texts[0] if node.func.id == "_" else texts[:2])
    return found


def test_the_catalog_has_every_message_of_this_pythons_argparse():
    missing = [m for m in argparse_messages() if (m not in PLURALS if isinstance(m, tuple) else m not in CATALOG)]
    assert missing == []
    placeholders = re.compile(r"%(?:\(\w+\))?[rsd]")
    for english, chinese in [*CATALOG.items(), *((k[0], v) for k, v in PLURALS.items())]:
        assert sorted(placeholders.findall(english)) == sorted(placeholders.findall(chinese)), english
        assert english in ("%(heading)s:",) or CJK.search(chinese), english


def help_of(capsys, *args) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_line_of_the_help_is_chinese(capsys, command):
    text = help_of(capsys, *([command] if command else []))
    assert text.startswith("用法：kb")
    for line in text.splitlines():
        assert not ENGLISH.search(line), line
    # each entry (an option or argument with its help, a heading, the usage) has Chinese in it
    for entry in re.split(r"\n(?=\S|  \S)", text):
        if entry.strip():
            assert CJK.search(entry), entry


def test_every_option_and_argument_says_what_it_is_for():
    parser = build_parser()
    subcommands = parser._subparsers._group_actions[0].choices
    assert sorted(subcommands) == sorted(COMMANDS)
    for name, sub in [("kb", parser), *subcommands.items()]:
        for action in sub._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help and CJK.search(action.help), (name, action.option_strings or action.dest)


@pytest.mark.parametrize("argv, says", [
    ([], "缺少参数：命令"),
    (["search"], "缺少参数：查询"),
    (["bogus"], "参数 命令：无效的选择 'bogus'"),
    (["user", "xyz"], "参数 操作：无效的选择 'xyz'"),
    (["serve", "--port", "abc"], "参数 --port：“abc”不是整数"),
    (["serve", "--port", "70000"], "端口应为 1–65535 之间的整数，不能是 70000"),
    (["search", "保密", "--limit", "0"], "每页条数应为不小于 1 的整数"),
    (["search", "保密", "--page"], "参数 --page：后面要跟一个值"),
    (["check", "--what"], "不认识的参数：--what"),
    (["new", "标题"], "缺少参数：--slug"),
])
def test_argparse_errors_are_chinese(capsys, argv, says):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "：错误：" in err
    for line in err.splitlines():
        assert not ENGLISH.search(line.replace("--page", "").replace("--port", "")), line


def test_argparse_is_left_as_it_was_for_everyone_else(capsys):
    help_of(capsys, "serve")
    with pytest.raises(SystemExit):
        main(["bogus"])
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    assert "usage:" in argparse.ArgumentParser(prog="other").format_help()


def test_the_help_lines_up_by_terminal_columns(capsys):
    text = help_of(capsys, "serve")
    starts = {width(line[: line.index("  ", 4)]) + len(line[line.index("  ", 4):]) - len(line[line.index("  ", 4):].lstrip())
              for line in text.splitlines() if line.startswith("  -")}
    assert len(starts) == 1, text  # every option's help begins in the same column


def test_help_fits_a_narrow_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    for command in COMMANDS:
        for line in help_of(capsys, command).splitlines():
            assert width(line) <= 60 or " " not in line.strip(), (command, line)  # only an unbreakable usage item may run over


def test_wrapping_keeps_words_whole_and_punctuation_off_the_line_start():
    lines = wrap("文章地址里的英文短名，如 meeting-minutes（/a/meeting-minutes）。放在内容目录下", 24)
    assert all(width(line) <= 24 for line in lines[:-1])
    assert not any(line.startswith(("，", "。", "）")) or line.endswith("（") for line in lines)
    assert "meeting-minutes" in "".join(lines) and "/a/meeting-minutes" in "".join(lines)
