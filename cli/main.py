"""The `kb` command: serve, index, check, search, new, import, user.

Search and web are imported inside the commands that need them, so `kb check` stays light
and the domain package never depends on the layers above it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path

from kb.article import SEVERITIES, TYPES, normalize_type
from kb.check import SLUG
from kb.config import Config, load_config
from kb.frontmatter import dump
from kb.store import load_catalog

from .chinese import ChineseArgumentParser, count
from .invocation import command


def _config(args):
    return load_config(
        getattr(args, "config", None),
        content_dir=getattr(args, "content", None),
        index_dir=getattr(args, "index", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def cmd_check(args) -> int:
    config = _config(args)
    root = Path(args.path or config.content_dir)
    catalog = load_catalog(root, max_bytes=config.max_article_bytes)
    found = {kind: [p for p in catalog.problems if p.severity == kind] for kind in SEVERITIES}
    # Notes (defaults chosen for fields a file leaves out) are listed apart and never fail the check.
    for kind, heading in (("error", "错误"), ("warning", "警告"), ("note", "说明")):
        if found[kind]:
            print(f"{heading}（{len(found[kind])}）：" + ("以下是未写的字段所用的默认值，不影响发布" if kind == "note" else ""))
            for p in found[kind]:
                print(f"  {p}")
    errors, warnings, notes = (len(found[kind]) for kind in SEVERITIES)
    print(f"检查了 {root} 下的文章：{len(catalog.articles)} 篇可用，{errors} 个错误，{warnings} 个警告，{notes} 条说明。")
    return 1 if errors else 0


def cmd_new(args) -> int:
    config = _config(args)
    kind = normalize_type(args.type)
    if kind is None:
        print(f"type “{args.type}” 无效，应为：{'、'.join(f'{k}（{v}）' for k, v in TYPES.items())}", file=sys.stderr)
        return 2
    if not SLUG.match(args.slug) or not 3 <= len(args.slug) <= 60:
        print(f"slug “{args.slug}” 无效：只能用小写英文字母、数字和连字符，长度 3–60", file=sys.stderr)
        return 2
    catalog = load_catalog(Path(config.content_dir), cross_checks=False, max_bytes=config.max_article_bytes)
    if catalog.get(args.slug) or args.slug in catalog.by_alias:
        print(f"slug “{args.slug}” 已被使用", file=sys.stderr)
        return 2
    folder = Path(config.content_dir) / (args.dir or ("checklists" if kind == "checklist" else "guides"))
    path = folder / f"{args.slug}.md"
    if path.exists():
        print(f"文件已存在：{path}", file=sys.stderr)
        return 2
    today = dt.date.today()
    meta = {
        "title": args.title,
        "slug": args.slug,
        "type": kind,
        "category": args.category,
        "tags": [],
        "summary": "（一两句话概括本文）",
        "source": "",
        "author": "",
        "published": today,
        "updated": today,
        "aliases": [],
    }
    body = "## 一、第一部分\n\n正文。\n" if kind != "checklist" else "## 准备\n\n- [ ] 第一项\n"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(meta, body), encoding="utf-8")
    print(f"已创建 {path}")
    return 0


def cmd_index(args) -> int:
    from search.interface import open_engine

    config = _config(args)
    engine = open_engine(config)
    try:
        if args.watch:
            return _watch(config, engine)
        report = engine.index(rebuild=args.rebuild, progress=not args.quiet)
    finally:
        engine.close()
    print(report.summary())
    return 0


def _watch(config, engine) -> int:
    """Keep the index current while files change, until stopped (what `kb serve` runs)."""
    from application.keeper import IndexKeeper

    from kb.store import ContentStore

    if not Path(config.content_dir).is_dir():
        print(f"错误：内容目录 {config.content_dir} 不存在", file=sys.stderr)
        return 2
    engine.ready()  # opens the index and loads jieba before the first edit arrives
    store = ContentStore(Path(config.content_dir), max_article_bytes=config.max_article_bytes, light=True)
    IndexKeeper(engine, store).run_forever()
    return 0


def _site(args):
    from application import Site

    return Site(_config(args))


def cmd_search(args) -> int:
    from search.interface import open_engine

    engine = open_engine(_config(args), cache_size=0)
    try:
        # Only results are printed: the problems of files that cannot be indexed belong to `kb check`.
        writer_log = logging.getLogger("search.writer")
        before = writer_log.level
        if not args.verbose:
            writer_log.setLevel(logging.ERROR)
        try:
            engine.index()
        finally:
            writer_log.setLevel(before)
        result = engine.search(args.query, limit=args.limit, page=args.page)
    finally:
        engine.close()
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    if result.corrected_from:
        print(f"没有找到“{result.corrected_from}”，下面是“{result.query}”的结果")
    print(f"“{result.query}”：共 {result.total} 篇相关文章")
    if result.suggestion:
        print(f"您是不是要找：{result.suggestion}")
    for n, hit in enumerate(result.hits, start=(args.page - 1) * args.limit + 1):
        where = " › ".join([hit.title, *hit.heading_path, *([hit.section] if hit.section else [])])
        print(f"{n:>3}. {where}\n     {hit.url}\n     {hit.snippet_text}")
    return 0


def cmd_serve(args) -> int:
    config = _config(args)
    content = Path(config.content_dir)
    if not content.is_dir():
        print(f"错误：内容目录 {content} 不存在。请用 --content 指定文章所在的目录（自带的文章在仓库的 content/ 里）。",
              file=sys.stderr)
        return 2
    from web.server import port_in_use, serve

    if port_in_use(config.host, config.port):
        print(f"错误：端口 {config.port} 已被占用（{config.host}:{config.port}）。请先停止占用它的程序，"
              f"或换一个端口，例如：{command(args, 'serve', '--port', str(config.port + 1))}", file=sys.stderr)
        return 2
    from application import Site
    from kb.database import location

    site = Site(config)
    site.prepare()  # instance folder, secret key, the content's git repository: once, before any worker
    if not site.users.all():
        print(f"提示：内容目录 {content.resolve()} 还没有账号，添加管理员后才能在网站上编辑。在另一个终端里运行：\n"
              f"  {command(args, 'user', 'add', 'admin', '--role', 'admin')}\n"
              f"（admin 可以换成您的名字；{ACCOUNTS_PLACE} {location(site.users.engine)}）", file=sys.stderr)
    if args.debug:
        from web.app import create_app

        site.start_keeper()
        create_app(site).run(host=config.host, port=config.port, debug=True, use_reloader=False)
        return 0
    print(f"{config.site_name}：http://{config.host}:{config.port}/ （按 Ctrl+C 停止）", flush=True)
    serve(config, workers=args.workers)
    return 0


USER_ACTIONS = {"add": "添加", "passwd": "改密码", "role": "改角色", "remove": "删除", "list": "列出全部账号"}
ACCOUNTS_PLACE = "每个内容目录的网站有自己的账号，这个内容目录的账号保存在"
ACCOUNTS_HELP = ("每个内容目录的网站有自己的账号（保存在用户数据目录里这个内容目录的实例目录中，或设置项 database_url "
                 "指向的数据库）：kb serve --content 某目录 认的是 kb user … --content 某目录 添加的账号。"
                 "kb user list 说明账号保存在哪里。密码交互输入两次，太短或两次不一样时重新输入。")


def _password(args, prompt: str = "密码：") -> str:
    """A new password: asked twice at a terminal, again after a mistake; from one line of
    standard input with --password-stdin or in a script (checked by the account itself)."""
    import getpass

    from kb.users import password_problem

    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    while True:
        try:
            first = getpass.getpass(prompt)
            problem = password_problem(first)
            if problem is None and getpass.getpass("再输入一次：") == first:
                return first
        except EOFError:  # Ctrl+D: the same as giving up with Ctrl+C
            raise KeyboardInterrupt from None
        print(f"{problem or '两次输入的密码不一样'}，请重新输入（Ctrl+C 取消）。", file=sys.stderr)


def _list_users(args, site) -> int:
    from kb.database import location
    from kb.users import ROLES

    users = site.users
    accounts = users.all()
    for u in accounts:
        print(f"{u.name}\t{u.role}（{ROLES[u.role]}）\t{u.created:%Y-%m-%d}")
    # where the accounts are goes to stderr, so that a script reading the list gets only accounts
    content = Path(site.config.content_dir).resolve()
    if not accounts:
        print(f"内容目录 {content} 还没有账号。添加管理员：{command(args, 'user', 'add', 'admin', '--role', 'admin')}",
              file=sys.stderr)
    print(f"（{ACCOUNTS_PLACE} {location(users.engine)}）", file=sys.stderr)
    return 0


def cmd_user(args) -> int:
    from kb.database import location
    from kb.users import ROLES, AccountError

    site = _site(args)
    users = site.users
    try:
        if args.action == "list":
            return _list_users(args, site)
        if not args.name:
            print(f"错误：请给出用户名，例如：{command(args, 'user', args.action, 'admin')}", file=sys.stderr)
            return 2
        if args.action == "add":
            users.check_new(args.name, args.role)
            users.add(args.name, _password(args), args.role)
            print(f"已添加用户 {args.name}（{ROLES[args.role]}），可以在网站上登录了。"
                  f"账号保存在 {location(users.engine)}（内容目录 {Path(site.config.content_dir).resolve()} 的网站）")
        elif args.action == "passwd":
            if users.get(args.name) is None:  # before asking for a password in vain
                raise AccountError(f"没有用户 “{args.name}”")
            users.set_password(args.name, _password(args, "新密码："))
            print(f"已修改 {args.name} 的密码")
        elif args.action == "role":
            users.set_role(args.name, args.role)
            print(f"已把 {args.name} 的角色改为{ROLES[args.role]}")
        elif args.action == "remove":
            users.remove(args.name)
            print(f"已删除用户 {args.name}")
    except AccountError as exc:
        print(f"错误：没有添加用户 {args.name}：{exc}" if args.action == "add" else f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        users.close()
    return 0


def cmd_import(args) -> int:
    """Import files as articles: each is converted, checked like `kb check`, and written only
    when it has no errors (use the site's 导入 to edit a draft first)."""
    from kb.importing import ImportError_, import_document, import_folder, import_path
    from kb.saving import save_article
    from kb.store import ContentStore

    config = _config(args)
    try:
        folder = import_folder(args.dir)
    except ImportError_ as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    store = ContentStore(Path(config.content_dir), max_article_bytes=config.max_article_bytes)
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            draft = import_document(path.name, path.read_bytes(), config.media_path, config.max_image_bytes,
                                    folder=folder)
        except (ImportError_, OSError) as exc:
            print(f"{name}：无法导入：{exc}", file=sys.stderr)
            failed += 1
            continue
        rel = import_path(folder, draft.slug)
        result = save_article(store, rel, draft.text, base_digest=None)
        for note in draft.notes:
            print(f"{name}：{note}")
        if result.article is None:
            failed += 1
            print(f"{name}：没有保存：", file=sys.stderr)
            for p in result.problems:
                print(f"  {p}", file=sys.stderr)
            continue
        print(f"{name} → {Path(config.content_dir) / rel}（{result.article.title}，{len(result.article.sections)} 个小节）")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    """The `kb` command line, every line of its help and errors in Chinese (cli.chinese)."""
    defaults = Config()
    parser = ChineseArgumentParser(prog="kb", description="办公室知识库命令行工具")
    parser.add_argument("--config", metavar="文件", help="TOML 配置文件（也可用环境变量 KB_CONFIG）")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令",
                                help="每个命令的说明：kb 命令 --help")

    def command(name: str, summary: str, description: str = ""):
        p = sub.add_parser(name, help=summary, description=description or summary)
        p.add_argument("--content", metavar="目录", help="内容目录（默认 content）")
        p.add_argument("--index", metavar="目录", help="索引目录（默认在用户缓存目录里）")
        return p

    p = command("serve", "启动网站（需要时先建立索引）")
    p.add_argument("--host", metavar="地址",
                   help=f"网站监听的地址（默认 {defaults.host}，只有本机能访问；0.0.0.0 让同事从别的电脑访问）")
    p.add_argument("--port", type=count(1, 65535, "端口"), metavar="端口", help=f"网站的端口（默认 {defaults.port}）")
    p.add_argument("--workers", type=count(1, what="工作进程数"), metavar="个数", help="工作进程数（默认等于 CPU 核数）")
    p.add_argument("--debug", action="store_true", help="用 Flask 的开发服务器运行（显示调试信息）")
    p.set_defaults(func=cmd_serve)

    p = command("index", "建立或更新搜索索引")
    p.add_argument("--rebuild", action="store_true", help="丢弃旧索引，全部重建")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.add_argument("--watch", action="store_true", help="建立或更新后继续运行，文件一改动就更新索引（kb serve 用它）")
    p.set_defaults(func=cmd_index)

    p = command("check", "检查文章格式、字段和链接")
    p.add_argument("path", nargs="?", metavar="目录", help="要检查的目录（默认为内容目录）")
    p.set_defaults(func=cmd_check)

    p = command("search", "在终端里搜索")
    p.add_argument("query", metavar="查询", help="要搜索的词，写法与网站的搜索框相同（如 \"请示汇报\" -值班 type:清单）")
    p.add_argument("--json", action="store_true", help="输出与 /api/search 相同的 JSON")
    p.add_argument("--limit", type=count(1, what="每页条数"), default=10, metavar="条数", help="每页显示几条结果（默认 10）")
    p.add_argument("--page", type=count(1, what="页码"), default=1, metavar="页码", help="显示第几页（默认 1）")
    p.set_defaults(func=cmd_search)

    p = command("new", "新建一篇文章")
    p.add_argument("title", metavar="标题", help="文章标题")
    p.add_argument("--slug", required=True, metavar="短名", help="文章地址里的英文短名，如 meeting-minutes（/a/meeting-minutes）")
    p.add_argument("--type", default="guide", metavar="类型",
                   help="principle/rule/procedure/checklist/guide 或 原则/制度/流程/清单/指南（默认 guide）")
    p.add_argument("--category", default="未分类", metavar="分类", help="分类（默认 未分类）")
    p.add_argument("--dir", metavar="目录", help="放在内容目录下的哪个目录（默认 guides，清单放在 checklists）")
    p.set_defaults(func=cmd_new)

    p = command("import", "导入 .docx（Word）、.html（网页）或 .md 文件为文章")
    p.add_argument("files", nargs="+", metavar="文件", help="要导入的文件，可以有多个")
    p.add_argument("--dir", default="guides", metavar="目录",
                   help="放在内容目录下的哪个目录，目录名也是文章的分类（默认 guides，分类为「未分类」）")
    p.set_defaults(func=cmd_import)

    p = command("user", "管理账号：add、passwd、role、remove、list", ACCOUNTS_HELP)
    p.add_argument("action", choices=list(USER_ACTIONS), metavar="操作",
                   help="、".join(f"{k}（{v}）" for k, v in USER_ACTIONS.items()))
    p.add_argument("name", nargs="?", metavar="名字", help="用户名（list 不用写）")
    p.add_argument("--role", default="editor", choices=["reader", "editor", "admin"], metavar="角色",
                   help="reader（读者）、editor（编辑）或 admin（管理员），默认 editor")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码（脚本用；不再询问）")
    p.set_defaults(func=cmd_user)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except ValueError as exc:  # configuration mistakes carry a message for the user
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
