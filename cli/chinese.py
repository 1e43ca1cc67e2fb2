"""argparse in Chinese: `kb --help`, every subcommand's help and every error argparse writes.

argparse writes its own lines (「usage:」, 「show this help message and exit」, 「the following
arguments are required」, 「invalid choice」…) through gettext, with the module's ``_`` and
``ngettext``. A translation installed for gettext's domain would follow the user's LANG (a
server's C.UTF-8 would get English) and need compiled catalogs; instead ``ChineseArgumentParser``
hands argparse this catalog while it builds, parses, formats help or reports an error, and puts
argparse's own functions back afterwards, so other users of argparse in the process (pytest)
are untouched. tests/kb/test_cli_chinese.py checks that the catalog holds every message the
running Python's argparse has.
"""
from __future__ import annotations

import argparse
import re
import unicodedata
from contextlib import contextmanager
from functools import wraps

#: argparse's messages (Python 3.11–3.13) in Chinese; the placeholders stay as they are.
CATALOG = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "subcommands": "命令",
    "%(heading)s:": "%(heading)s：",
    "show this help message and exit": "显示这段帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    " (default: %(default)s)": "（默认 %(default)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s：提醒：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少参数：%s",
    "one of the arguments %s is required": "参数 %s 至少要给一个",
    "unrecognized arguments: %s": "不认识的参数：%s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的 %(type)s 值",
    "expected one argument": "后面要跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少要跟一个值",
    "not allowed with argument %s": "不能和参数 %s 一起用",
    "ignored explicit argument %r": "多余的值 %r（这个选项不带值）",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可用的命令：%(choices)s）",
    "argument \"-\" with mode %r": "参数“-”不能以 %r 方式打开",
    "option '%(option)s' is deprecated": "选项“%(option)s”已不再推荐使用",
    "argument '%(argument_name)s' is deprecated": "参数“%(argument_name)s”已不再推荐使用",
    "command '%(parser_name)s' is deprecated": "命令“%(parser_name)s”已不再推荐使用",
    # Mistakes in the program, not the user's; translated so that none shows in English.
    ".__call__() not defined": ".__call__() 没有定义",
    "'required' is an invalid argument for positionals": "位置参数不能用 required",
    "mutually exclusive arguments must be optional": "互斥的参数必须是选项",
    "%r is not callable": "%r 不能调用",
    "cannot merge actions - two groups are named %r": "无法合并：有两个参数组都叫 %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r":
        "选项 %(option)r 无效：必须以 %(prefix_chars)r 开头",
    "dest= is required for options like %r": "%r 这样的选项必须给出 dest=",
    "invalid conflict_resolution value: %r": "conflict_resolution 的值 %r 无效",
    "cannot have multiple subparser arguments": "只能有一组子命令",
    "conflicting subparser: %s": "子命令重复：%s",
    "conflicting subparser alias: %s": "子命令别名重复：%s",
}
#: (singular, plural) -> Chinese, which has one form.
PLURALS = {
    ("expected %s argument", "expected %s arguments"): "后面要跟 %s 个值",
    ("conflicting option string: %s", "conflicting option strings: %s"): "选项重复：%s",
}


def gettext(message: str) -> str:
    return CATALOG.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return PLURALS.get((singular, plural), singular if n == 1 else plural)


@contextmanager
def _in_chinese():
    """argparse's messages from the catalog for as long as the block runs (nested blocks are
    fine: each puts back what it found)."""
    before = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = before


def _chinese(method):
    @wraps(method)
    def wrapper(*args, **kwargs):
        with _in_chinese():
            return method(*args, **kwargs)
    return wrapper


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_TOKEN = re.compile(r"\s+|[!-~]+|.")  # runs of spaces, runs of ASCII (words, options), one other character
_NO_LINE_START = set("，。、；：？！）」』】》%…")
_NO_LINE_END = set("（「『【《")


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns: Chinese breaks between any two
    characters (but not before closing punctuation), ASCII words and options stay whole.
    (textwrap counts characters, so a Chinese line came out twice as wide as the terminal.)"""
    lines, line = [], ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if token.isspace():
            line += " " if line else ""
            continue
        if line.strip() and width(line) + width(token) > columns and token[0] not in _NO_LINE_START:
            carried = line[-1] if line[-1] in _NO_LINE_END else ""  # an opening bracket goes with what it opens
            lines.append(line[: len(line) - len(carried)].rstrip())
            line = carried
        line += token
    return [*lines, line.rstrip()] if line.strip() else lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Help laid out by terminal columns rather than characters (options with Chinese names
    were out of line, Chinese help ran past the edge), and section headings that end in a
    full-width colon (Python before 3.13 writes 「选项:」 itself)."""

    def add_argument(self, action):
        if action.help is not argparse.SUPPRESS:
            invocations = [action, *self._iter_indented_subactions(action)]
            longest = max(width(self._format_action_invocation(a)) for a in invocations) + self._current_indent
            self._action_max_length = max(self._action_max_length, longest)
        super().add_argument(action)

    def _format_action(self, action):
        text = super()._format_action(action)
        invocation = " " * self._current_indent + self._format_action_invocation(action)
        extra = width(invocation) - len(invocation)
        if not extra or not action.help or not text.startswith(invocation + " "):
            return text
        rest = text[len(invocation):]
        padding = len(rest) - len(rest.lstrip(" "))
        if padding - extra >= 2:  # the help still fits beside it: give back the columns it took
            return invocation + rest[extra:]
        help_position = min(self._action_max_length + 2, self._max_help_position)
        return invocation + "\n" + " " * help_position + rest.lstrip(" ")

    def _format_usage(self, usage, actions, groups, prefix):
        """argparse's usage, wrapped again by columns: the items after the program, each whole,
        continued under the first one."""
        text = super()._format_usage(usage, actions, groups, prefix)
        head = f"{gettext('usage: ') if prefix is None else prefix}{self._prog}"
        flat = " ".join(text.split())
        if usage is not None or not flat.startswith(head):
            return text
        columns = self._width - self._current_indent
        lines, line = [], head
        for item in re.findall(r"\(.*?\)+(?=\s|$)|\[.*?\]+(?=\s|$)|\S+", flat[len(head):]):
            if line.strip() != head and width(line) + 1 + width(item) > columns:
                lines.append(line)
                line = " " * width(head)
            line += " " + item
        return "\n".join([*lines, line]) + "\n\n"

    def _split_lines(self, text, columns):
        return wrap(text, columns)

    def _fill_text(self, text, columns, indent):
        return "\n".join(indent + line for line in wrap(text, columns - len(indent)))

    def format_help(self):
        text = super().format_help()
        return re.sub(r"^(\S[^\n:：]*):$", r"\1：", text, flags=re.M)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose every line is Chinese; its subcommands' parsers are of this class
    too (argparse makes them of the parser's own class)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        with _in_chinese():
            super().__init__(*args, **kwargs)

    add_argument = _chinese(argparse.ArgumentParser.add_argument)
    parse_args = _chinese(argparse.ArgumentParser.parse_args)
    parse_known_args = _chinese(argparse.ArgumentParser.parse_known_args)
    format_usage = _chinese(argparse.ArgumentParser.format_usage)
    format_help = _chinese(argparse.ArgumentParser.format_help)
    error = _chinese(argparse.ArgumentParser.error)
    add_subparsers = _chinese(argparse.ArgumentParser.add_subparsers)
    add_argument_group = _chinese(argparse.ArgumentParser.add_argument_group)


def count(minimum: int = 1, maximum: int | None = None, what: str = "数", check=None):
    """An argument type for a whole number in [minimum, maximum] (or one a setting's ``check``
    accepts, kb.config), with a Chinese message."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
        if check is not None:
            problem = check(value)
        elif value < minimum or (maximum is not None and value > maximum):
            problem = f"应为 {minimum}–{maximum} 之间的整数" if maximum is not None else f"应为不小于 {minimum} 的整数"
        else:
            problem = None
        if problem:
            raise argparse.ArgumentTypeError(f"{what}{problem}，不能是 {value}")
        return value

    convert.__name__ = what  # argparse names the type in its own message with this
    return convert
