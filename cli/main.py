"""The `kb` command: serve, index, check, search, new, import, user.

Every command works through the application object (application.Site), as the web does: a new
article or an import is saved, committed and indexed by the same use case as a save in the
browser. Only `kb serve` reaches the web layer, whose job it is to start it.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path

from application import Author, NewArticle, Query, Site
from kb.article import SEVERITIES, TYPES, normalize_type
from kb.config import load_config, require_content


def _config(args):
    return load_config(
        getattr(args, "config", None),
        content_dir=getattr(args, "content", None),
        index_dir=getattr(args, "index", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def _site(args) -> Site:
    """The site the command works on; its content folder must exist (SettingError says so)."""
    config = _config(args)
    require_content(config)
    return Site(config)


def _author() -> Author:
    """Who a change made from the terminal is recorded as: the user logged in to the machine."""
    try:
        return Author.named(getpass.getuser())
    except (KeyError, OSError):
        return Author.named("命令行")


def cmd_check(args) -> int:
    config = _config(args)
    root = Path(args.path) if args.path else require_content(config)
    if not root.is_dir():
        print(f"错误：要检查的目录 {root} 不存在", file=sys.stderr)
        return 2
    catalog = Site(config).check(root)
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


def _print_problems(problems, file=sys.stderr) -> None:
    for p in problems:
        if p.severity != "note":
            print(f"  {p}", file=file)


def cmd_new(args) -> int:
    kind = normalize_type(args.type)
    if kind is None:
        print(f"type “{args.type}” 无效，应为：{'、'.join(f'{k}（{v}）' for k, v in TYPES.items())}", file=sys.stderr)
        return 2
    site = _site(args)
    body = "## 一、第一部分\n\n正文。\n" if kind != "checklist" else "## 准备\n\n- [ ] 第一项\n"
    saved = site.create(NewArticle(args.title, args.slug, kind, args.category, (), "（一两句话概括本文）", body,
                                   args.dir or ""), _author())
    if not saved.done:
        print(f"没有创建“{args.title}”：", file=sys.stderr)
        _print_problems(saved.problems)
        return 2
    print(f"已创建 {Path(site.config.content_dir) / saved.article.rel_path}")
    for warning in saved.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    return 0


def cmd_index(args) -> int:
    site = _site(args)
    try:
        if args.watch:
            site.search.ready()  # opens the index and loads jieba before the first edit arrives
            site.keeper_for().run_forever()
            return 0
        report = site.index(rebuild=args.rebuild, progress=not args.quiet)
    finally:
        site.close()
    print(report.summary())
    return 0


def cmd_search(args) -> int:
    site = _site(args)
    try:
        if not site.search.ready():  # no index yet: build it once (an existing one is searched as it is)
            writer_log = logging.getLogger("search.writer")
            before = writer_log.level
            if not args.verbose:
                # only results are printed: the problems of files that cannot be indexed belong to `kb check`
                writer_log.setLevel(logging.ERROR)
            try:
                site.index()
            finally:
                writer_log.setLevel(before)
        found = site.search_page(Query(args.query, limit=args.limit, page=args.page), source="cli", record=False)
    finally:
        site.close()
    if args.json:
        print(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
        return 0
    result = found.result
    if result is None:
        print("请给出要搜索的内容。", file=sys.stderr)
        return 2
    if result.corrected_from:
        print(f"没有找到“{result.corrected_from}”，下面是“{result.query}”的结果")
    print(f"“{result.query}”：共 {result.total} 篇相关文章")
    if result.note:
        print(result.note)
    suggestion = result.suggestion or found.suggestion
    if suggestion:
        print(f"您是不是要找：{suggestion}")
    for n, hit in enumerate(result.hits, start=(args.page - 1) * args.limit + 1):
        where = " › ".join([hit.title, *hit.heading_path, *([hit.section] if hit.section else [])])
        print(f"{n:>3}. {where}\n     {hit.url}\n     {hit.snippet_text}")
    if found.partial is not None and found.partial.hits:
        print("与搜索词有部分字相同的内容：")
        for hit in found.partial.hits:
            print(f"  - {hit.title}{' › ' + hit.section if hit.section else ''}  {hit.url}")
    return 0


def cmd_serve(args) -> int:
    site = _site(args)
    config = site.config
    from web.server import port_in_use, serve, serve_debug  # the one command that starts the web

    if port_in_use(config.host, config.port):
        print(f"错误：端口 {config.port} 已被占用（{config.host}:{config.port}）。请先停止占用它的程序，"
              f"或换一个端口，例如：kb serve --port {config.port + 1}", file=sys.stderr)
        return 2
    site.prepare()  # instance folder, secret key, the content's git repository: once, before any worker
    if not site.users.all():
        print("提示：还没有任何账号。用 kb user add 名字 --role admin 添加管理员后才能在网站上编辑。", file=sys.stderr)
    if args.debug:
        serve_debug(site)
        return 0
    print(f"{config.site_name}：http://{config.host}:{config.port}/ （按 Ctrl+C 停止）", flush=True)
    serve(config, workers=args.workers, config_file=args.config)
    return 0


def _password(args, prompt: str = "密码：") -> str:
    import getpass

    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("再输入一次：") != first:
        raise ValueError("两次输入的密码不一样")
    return first


def cmd_user(args) -> int:
    from kb.users import ROLES, AccountError

    site = _site(args)
    users, people = site.users, site.people
    try:
        if args.action == "list":
            groups, emails = people.memberships(), people.emails()
            for u in users.all():
                print(f"{u.name}\t{u.role}（{ROLES[u.role]}）\t{u.created:%Y-%m-%d}\t"
                      f"{'、'.join(sorted(groups.get(u.name, {}))) or '（无组）'}\t{emails.get(u.name, '')}")
            return 0
        if not args.name:
            print("错误：请给出用户名", file=sys.stderr)
            return 2
        if args.action == "add":
            users.add(args.name, _password(args), args.role)
            if args.email:
                people.set_email(args.name, args.email)
            if args.group:
                people.set_groups(args.name, args.group)
            print(f"已添加用户 {args.name}（{ROLES[args.role]}）")
        elif args.action == "email":
            if users.get(args.name) is None:
                raise AccountError(f"没有用户 “{args.name}”")
            people.set_email(args.name, args.email or "")
            print(f"已把 {args.name} 的邮件地址设为 {args.email}" if args.email else f"已删除 {args.name} 的邮件地址")
        elif args.action == "passwd":
            users.set_password(args.name, _password(args, "新密码："))
            print(f"已修改 {args.name} 的密码")
        elif args.action == "role":
            users.set_role(args.name, args.role)
            print(f"已把 {args.name} 的角色改为{ROLES[args.role]}")
        elif args.action == "remove":
            users.remove(args.name)
            people.forget(args.name)
            site.following.store.forget(args.name)
            print(f"已删除用户 {args.name}")
    except AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        users.close()
    return 0


def cmd_group(args) -> int:
    """Groups of accounts (kb.people): who may read a restricted article, who must read one."""
    from kb.users import AccountError

    site = _site(args)
    people = site.people
    try:
        if args.action == "list":
            for g in people.groups():
                print(f"{g.name}\t{g.members} 人\t{g.source_label}")
            return 0
        if not args.group:
            print("错误：请给出组名", file=sys.stderr)
            return 2
        if args.action == "add":
            for name in [args.group, *args.names]:
                people.add_group(name)
            print("已添加组 " + "、".join([args.group, *args.names]))
        elif args.action == "remove":
            people.remove_group(args.group)
            print(f"已删除组 {args.group}（组里的人仍然保留账号）")
        elif args.action == "members":
            for name in people.members(args.group):
                print(name)
        elif args.action in ("join", "leave"):
            if not args.names:
                print("错误：请给出用户名", file=sys.stderr)
                return 2
            if args.action == "join":
                missing = [n for n in args.names if site.users.get(n) is None]
                if missing:
                    raise AccountError("没有这些用户：" + "、".join(missing))
                people.join(args.group, args.names)
                print(f"已把 {'、'.join(args.names)} 加入 {args.group}")
            else:
                people.leave(args.group, args.names)
                print(f"已把 {'、'.join(args.names)} 移出 {args.group}")
    except AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        site.close()
    return 0


def _mail_job(args, send, what: str) -> int:
    """Run a mailing of the site (``send(site)`` -> (sent, accounts without an address))."""
    from kb.mail import MailError

    site = _site(args)
    try:
        sent, missing = send(site)
    except MailError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        site.close()
    print(f"已给 {sent} 人发了{what}。")
    if missing:
        print(f"没有邮件地址、没有发出：{'、'.join(missing)}（用 kb user email 名字 --email 地址 添加）", file=sys.stderr)
    return 0


def cmd_remind(args) -> int:
    """Remind everyone who has required reading left to confirm, by e-mail (a scheduled job)."""
    from application import Reader

    return _mail_job(args, lambda site: site.reading.remind(Reader("命令行", "admin"), site.config.site_url), "提醒邮件")


def cmd_digest(args) -> int:
    """E-mail each follower what changed since their last digest (a scheduled job, e.g. daily)."""
    return _mail_job(args, lambda site: site.following.send_digests(site.config.site_url), "关注摘要")


def cmd_import(args) -> int:
    """Import files as articles: each is converted, checked like `kb check`, and saved only
    when it has no errors (use the site's 导入 to edit a draft first)."""
    from kb.importing import ImportError_

    site = _site(args)
    failed = 0
    try:
        for name in args.files:
            path = Path(name)
            try:
                draft, saved = site.import_file(path.name, path.read_bytes(), args.dir, _author())
            except (ImportError_, OSError) as exc:
                print(f"{name}：无法导入：{exc}", file=sys.stderr)
                failed += 1
                continue
            for note in draft.notes:
                print(f"{name}：{note}")
            if not saved.done:
                failed += 1
                print(f"{name}：没有保存：", file=sys.stderr)
                _print_problems(saved.problems)
                continue
            article = saved.article
            print(f"{name} → {Path(site.config.content_dir) / article.rel_path}（{article.title}，{len(article.sections)} 个小节）")
            for warning in saved.warnings:
                print(f"{name}：注意：{warning}", file=sys.stderr)
    finally:
        site.close()
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="办公室知识库命令行工具")
    parser.add_argument("--config", help="TOML 配置文件（也可用环境变量 KB_CONFIG）")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    def with_dirs(p):
        p.add_argument("--content", help="内容目录（默认 content）")
        p.add_argument("--index", help="索引目录（默认在用户缓存目录里）")
        return p

    p = with_dirs(sub.add_parser("serve", help="启动网站（需要时先建立索引）"))
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int, help="工作进程数（默认等于 CPU 核数）")
    p.add_argument("--debug", action="store_true", help="用 Flask 的开发服务器运行（显示调试信息）")
    p.set_defaults(func=cmd_serve)

    p = with_dirs(sub.add_parser("index", help="建立或更新搜索索引"))
    p.add_argument("--rebuild", action="store_true", help="丢弃旧索引，全部重建")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.add_argument("--watch", action="store_true", help="建立或更新后继续运行，文件一改动就更新索引（kb serve 用它）")
    p.set_defaults(func=cmd_index)

    p = with_dirs(sub.add_parser("check", help="检查文章格式、字段和链接"))
    p.add_argument("path", nargs="?", help="要检查的目录（默认为内容目录）")
    p.set_defaults(func=cmd_check)

    p = with_dirs(sub.add_parser("search", help="在终端里搜索"))
    p.add_argument("query")
    p.add_argument("--json", action="store_true", help="输出与 /api/search 相同的 JSON")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--page", type=int, default=1)
    p.set_defaults(func=cmd_search)

    p = with_dirs(sub.add_parser("new", help="新建一篇文章"))
    p.add_argument("title")
    p.add_argument("--slug", required=True, help="英文短名，如 meeting-minutes")
    p.add_argument("--type", default="guide", help="principle/rule/procedure/checklist/guide 或 原则/制度/流程/清单/指南")
    p.add_argument("--category", default="未分类")
    p.add_argument("--dir", help="放在内容目录下的哪个子目录")
    p.set_defaults(func=cmd_new)

    p = with_dirs(sub.add_parser("import", help="导入 .docx（Word）、.html（网页）或 .md 文件为文章"))
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--dir", default="guides", help="放在内容目录下的哪个子目录（默认 guides）")
    p.set_defaults(func=cmd_import)

    p = with_dirs(sub.add_parser("user", help="管理账号：add、passwd、role、email、remove、list"))
    p.add_argument("action", choices=["add", "passwd", "role", "email", "remove", "list"],
                   help="add 添加、passwd 改密码、role 改角色、email 设邮件地址、remove 删除、list 列出")
    p.add_argument("name", nargs="?", help="用户名")
    p.add_argument("--role", default="editor", choices=["reader", "editor", "admin"], help="角色（默认 editor）")
    p.add_argument("--email", help="邮件地址（add、email 用；阅读确认提醒和关注的摘要发到这里）")
    p.add_argument("--group", action="append", help="加入的组（add 用，可以写多次），如 --group 财务处 --group 新员工")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码（脚本用）")
    p.set_defaults(func=cmd_user)

    p = with_dirs(sub.add_parser("remind", help="给还没确认须阅读文章的人发提醒邮件（可由计划任务每周运行）"))
    p.set_defaults(func=cmd_remind)

    p = with_dirs(sub.add_parser("digest", help="给关注了文章的人发邮件摘要：上次摘要以来的更新（可由计划任务每天运行）"))
    p.set_defaults(func=cmd_digest)

    p = with_dirs(sub.add_parser("group", help="管理组（部门、岗位）：list、add、remove、members、join、leave"))
    p.add_argument("action", choices=["list", "add", "remove", "members", "join", "leave"],
                   help="list 列出所有组、add 添加组、remove 删除组、members 列出组里的人、join 把人加入组、leave 把人移出组")
    p.add_argument("group", nargs="?", help="组名，如 财务处")
    p.add_argument("names", nargs="*", help="用户名（join、leave 用；add 时是更多的组名）")
    p.set_defaults(func=cmd_group)
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
