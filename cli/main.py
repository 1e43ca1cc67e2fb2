"""The `kb` command: serve, index, check, search, review, new, import, user.

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
from kb import form as article_form
from application.content import is_copy, served
from kb.article import SEVERITIES, TYPES, normalize_type
from kb.config import Setting, load_config, require_content, settings_schema
from kb.database import location
from kb.linkcheck import STATUSES
from kb.lost_anchors import lost_anchors

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


def _site(args) -> Site:
    """The site the command works on; its content folder must exist (SettingError says so).
    A folder inside another git repository is served from a copy with its own history
    (application.content)."""
    config = _config(args)
    require_content(config)
    return Site(served(config))


def _author() -> Author:
    """Who a change made from the terminal is recorded as: the user logged in to the machine."""
    try:
        return Author.named(getpass.getuser())
    except (KeyError, OSError):
        return Author.named("命令行")


def cmd_check(args) -> int:
    config = _config(args)
    if not args.path:
        require_content(config)
    root = Path(args.path) if args.path else Path(served(config, seed=False).content_dir)
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
    lost = lost_anchors(catalog)
    gone = [x for x in lost if not x.now]
    if gone:
        print(f"消失的小节（{len(gone)}）：这些锚点以前有，现在没有对应的小节；文档里指向它们的链接只会打开文章开头")
        for x in gone:
            print(f"  {x}")
    renamed = [x for x in lost if x.now and x.linked_from]
    if renamed:
        print(f"改名的小节（{len(renamed)}）：旧链接仍然有效；可以在文章页上一键更新为新的地址")
        for x in renamed:
            print(f"  {x}")
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
    # the form editor's skeleton of the type (kb.form); a draft that readers never see until
    # it is published from the site (草稿 → 发布), unless --publish says it is ready now
    saved = site.create(NewArticle(args.title, args.slug, kind, args.category, (), "", article_form.skeleton(kind),
                                   args.dir or ""), _author(), draft=not args.publish)
    if not saved.done:
        print(f"没有创建“{args.title}”：", file=sys.stderr)
        _print_problems(saved.problems)
        return 2
    made = Path(site.config.content_dir) / saved.article.rel_path
    print(f"已创建 {made}" if args.publish else f"已创建草稿 {made}（读者看不到；写好后在网站的「草稿」里发布，或把 status 改为 现行）")
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
    if result.total and result.covering.note:
        print(result.covering.note)
    suggestion = result.suggestion or found.suggestion
    if suggestion:
        print(f"您是不是要找：{suggestion}")
    for n, hit in enumerate(result.hits, start=(args.page - 1) * args.limit + 1):
        where = " › ".join([hit.title, *hit.heading_path, *([hit.section] if hit.section else [])])
        where = f"【推荐】{where}" if hit.pinned else where
        print(f"{n:>3}. {where}\n     {hit.url}\n     {hit.snippet_text}")
    if found.repealed:
        print(f"另有 {found.repealed} 篇已废止的文章也符合（不在结果里）；加上 状态:废止 查看。")
    if found.partial is not None and found.partial.hits:
        print("与搜索词有部分字相同的内容：")
        for hit in found.partial.hits:
            print(f"  - {hit.title}{' › ' + hit.section if hit.section else ''}  {hit.url}")
    return 0


def cmd_review(args) -> int:
    """What is due for review, by owner; exit 0 when nothing is, 1 when something is (a
    scheduled job mails or alerts on 1), 2 when reminders were asked for and not all sent."""
    site = _site(args)
    try:
        review = site.review()
        print(f"待复审（{review.today}：复审日期已过或在 {review.window} 天内）")
        for owner, dues in review.groups.items():
            print(f"{owner}（{len(dues)} 篇）")
            for due in dues:
                number = due.article.meta.get("doc_no")
                print(f"  {due.review_by}  {due.when:<10}  {due.article.title}{f'（{number}）' if number else ''}"
                      f"  {due.article.url}")
        print(review.summary())
        if args.mail and review.dues:
            return _send_reminders(site) or (1 if review.dues else 0)
    finally:
        site.close()
    return 1 if review.dues else 0


def _send_reminders(site) -> int:
    """Send the review reminders; 2 when some could not be sent (or nobody is set to get them)."""
    sent = site.send_review_reminders()
    if not sent:
        print("没有发提醒：没有设置收件人（review_mail_to 或 review_mail_owners）。", file=sys.stderr)
        return 2
    for s in sent:
        if s.error:
            print(f"提醒没有发给 {'、'.join(s.reminder.to)}：{s.error}", file=sys.stderr)
        else:
            print(f"已发提醒给 {'、'.join(s.reminder.to)}：{s.reminder.count} 篇")
    return 2 if any(s.error for s in sent) else 0


def cmd_serve(args) -> int:
    site = _site(args)
    config = site.config
    from web.server import port_in_use, serve, serve_debug  # the one command that starts the web

    if port_in_use(config.host, config.port):
        print(f"错误：端口 {config.port} 已被占用（{config.host}:{config.port}）。请先停止占用它的程序，"
              f"或换一个端口，例如：{command(args, 'serve', '--port', str(config.port + 1))}", file=sys.stderr)
        return 2
    site.prepare()  # instance folder, secret key, the content's git repository: once, before any worker
    if is_copy(config):
        print(f"文章：{_config(args).content_dir} 在另一个 git 仓库里，网站使用它在实例目录里的副本 {config.content_dir}"
              f"（有自己的修改历史；那里的文件有更新时，下次启动并入副本）", file=sys.stderr)
    if not site.users.all():
        print(f"提示：内容目录 {Path(_config(args).content_dir).resolve()} 还没有账号，添加管理员后才能在网站上编辑。在另一个终端里运行：\n"
              f"  {command(args, 'user', 'add', 'admin', '--role', 'admin')}\n"
              f"（admin 可以换成您的名字；{ACCOUNTS_PLACE} {location(site.users.engine)}）", file=sys.stderr)
    if args.debug:
        serve_debug(site)
        return 0
    print(f"{config.site_name}：http://{config.host}:{config.port}/ （按 Ctrl+C 停止）", flush=True)
    serve(site, workers=args.workers, config_file=args.config)
    return 0


USER_ACTIONS = {"add": "添加", "passwd": "改密码", "role": "改角色", "email": "设邮件地址", "remove": "删除", "list": "列出全部账号"}
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
    from kb.users import ROLES

    users = site.users
    accounts = users.all()
    groups, emails = site.people.memberships(), site.people.emails()
    for u in accounts:
        print(f"{u.name}\t{u.role}（{ROLES[u.role]}）\t{u.created:%Y-%m-%d}\t"
              f"{'、'.join(sorted(groups.get(u.name, {}))) or '（无组）'}\t{emails.get(u.name, '')}")
    # where the accounts are goes to stderr, so that a script reading the list gets only accounts
    content = Path(site.config.content_dir).resolve()
    if not accounts:
        print(f"内容目录 {content} 还没有账号。添加管理员：{command(args, 'user', 'add', 'admin', '--role', 'admin')}",
              file=sys.stderr)
    print(f"（{ACCOUNTS_PLACE} {location(users.engine)}）", file=sys.stderr)
    return 0


def cmd_user(args) -> int:
    from kb.users import ROLES, AccountError

    site = _site(args)
    users, people = site.users, site.people
    try:
        if args.action == "list":
            return _list_users(args, site)
        if not args.name:
            print(f"错误：请给出用户名，例如：{command(args, 'user', args.action, 'admin')}", file=sys.stderr)
            return 2
        if args.action == "add":
            users.check_new(args.name, args.role)
            users.add(args.name, _password(args), args.role)
            if args.email:
                people.set_email(args.name, args.email)
            if args.group:
                people.set_groups(args.name, args.group)
            print(f"已添加用户 {args.name}（{ROLES[args.role]}），可以在网站上登录了。"
                  f"账号保存在 {location(users.engine)}（内容目录 {Path(site.config.content_dir).resolve()} 的网站）")
        elif args.action == "email":
            if users.get(args.name) is None:
                raise AccountError(f"没有用户 “{args.name}”")
            people.set_email(args.name, args.email or "")
            print(f"已把 {args.name} 的邮件地址设为 {args.email}" if args.email else f"已删除 {args.name} 的邮件地址")
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
            people.forget(args.name)
            site.following.store.forget(args.name)
            print(f"已删除用户 {args.name}")
    except AccountError as exc:
        print(f"错误：没有添加用户 {args.name}：{exc}" if args.action == "add" else f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        users.close()
    return 0


def _set_managers(site, args) -> None:
    """``kb group manage|unmanage 组 用户…``: a group's 负责人 see its read confirmations."""
    from kb.people import LOCAL
    from kb.users import AccountError

    if not args.names:
        raise AccountError("请给出用户名")
    have = site.people.managers(args.group, LOCAL)
    if args.action == "manage":
        missing = [n for n in args.names if site.users.get(n) is None]
        if missing:
            raise AccountError("没有这些用户：" + "、".join(missing))
        site.people.set_managers(args.group, have + args.names)
        print(f"{'、'.join(args.names)} 现在是 {args.group} 的负责人")
    else:
        site.people.set_managers(args.group, [n for n in have if n not in args.names])
        print(f"{'、'.join(args.names)} 不再是 {args.group} 的负责人")


def cmd_group(args) -> int:
    """Groups of accounts (kb.people): who may read a restricted article, who must read one."""
    from kb.users import AccountError

    site = _site(args)
    people = site.people
    try:
        if args.action == "list":
            for g in people.groups():
                print(f"{g.name}\t{g.members} 人\t{g.source_label}" + (f"\t负责人：{'、'.join(g.managers)}" if g.managers else ""))
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
        elif args.action == "managers":
            for name in people.managers(args.group):
                print(name)
        elif args.action in ("manage", "unmanage"):
            _set_managers(site, args)
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
    """Remind everyone who has required reading left to confirm, by e-mail (a scheduled job), of
    one article and/or one group when asked; people reminded of an article within
    remind_interval_hours are skipped. 1 when nothing could be sent, 2 for an unknown article."""
    from application import Reader
    from kb.mail import MailError

    site = _site(args)
    try:
        if args.article and site.catalog().get(args.article) is None:
            print(f"错误：没有文章 “{args.article}”", file=sys.stderr)
            return 2
        done = site.reading.remind(Reader("命令行", "admin"), site.config.site_url, args.article, args.group)
    except MailError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        site.close()
    print(done.summary(site.config.remind_interval_hours))
    if done.missing:
        print("没有邮件地址的人：用 kb user email 名字 --email 地址 添加", file=sys.stderr)
    return 1 if done.error else 0


def cmd_digest(args) -> int:
    """E-mail each follower what changed since their last digest (a scheduled job, e.g. daily)."""
    return _mail_job(args, lambda site: site.following.send_digests(site.config.site_url), "关注摘要")


def cmd_import(args) -> int:
    """Import files as articles: each is converted, checked like `kb check`, and saved only
    when it has no errors (use the site's 导入 to edit a draft first)."""
    from kb.importing import ImportError_, import_folder

    try:
        folder = import_folder(args.dir)
    except ImportError_ as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    site = _site(args)
    failed = 0
    try:
        for name in args.files:
            path = Path(name)
            try:
                draft, saved = site.import_file(path.name, path.read_bytes(), folder, _author())
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


def cmd_links(args) -> int:
    """Check the links into this site in onboarding material: 0 when every link works (a
    redirected one too, unless --strict), 1 when one is removed, broken or names a section that
    is gone, 2 when a file cannot be read — for a scheduled job."""
    site = _site(args)
    worst = 0
    for name in args.files:
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            print(f"{name}：无法读取：{exc.strerror}", file=sys.stderr)
            worst = 2
            continue
        report = site.check_links("网址列表.txt" if name == "-" else name, data)
        if report.error:
            print(report.error, file=sys.stderr)
            worst = 2
            continue
        _print_links(name, report, args.all)
        failing = report.failing or (args.strict and report.count("redirected"))
        worst = max(worst, 1 if failing else 0)
    return worst


def _print_links(name, report, everything: bool) -> None:
    counts = "，".join(f"{label} {report.count(status)}" for status, label in STATUSES.items() if report.count(status))
    print(f"{name}：本站链接 {len(report.links)} 个" + (f"（{counts}）" if counts else "")
          + (f"，其他网站的链接 {report.others} 个未检查" if report.others else ""))
    for c in report.links:
        if c.status == "ok" and not everything:
            continue
        line = f"  [{c.label}] {c.url}（{c.where}）"
        if c.note:
            line += f"：{c.note}"
        if c.now:
            line += f"\n      {'请改用' if c.status != 'removed' else '替代文章'}：{c.now}"
        print(line)


def _setting(name: str) -> Setting:
    return next(setting for field, _, _, setting in settings_schema() if field == name)


def _setting_help(name: str, after_default: str = "") -> str:
    """A setting's help as the schema declares it (kb.config), with its default."""
    default = next(value for field, _, value, _ in settings_schema() if field == name)
    return f"{_setting(name).help}（默认 {default}{after_default}；设置项 {name}）"


def build_parser() -> argparse.ArgumentParser:
    """The `kb` command line, every line of its help and errors in Chinese (cli.chinese)."""
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
    p.add_argument("--host", metavar="地址", help=_setting_help("host", "，只有本机能访问"))
    p.add_argument("--port", type=count(what="端口", check=_setting("port").check), metavar="端口",
                   help=_setting_help("port"))
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

    p = command("review", "列出待复审的文章（复审日期已过或快到的）",
                "按责任部门列出复审日期已过或快到的有效文章。退出码：0 没有待复审的，1 有，2 要求发提醒但没有发出（给定时任务用）。")
    p.add_argument("--mail", action="store_true", help="同时用邮件提醒各责任部门（需要设置 smtp_host 和收件人）")
    p.set_defaults(func=cmd_review)

    p = command("new", "新建一篇文章")
    p.add_argument("title", metavar="标题", help="文章标题")
    p.add_argument("--slug", required=True, metavar="短名", help="文章地址里的英文短名，如 meeting-minutes（/a/meeting-minutes）")
    p.add_argument("--type", default="guide", metavar="类型",
                   help="principle/rule/procedure/checklist/guide 或 原则/制度/流程/清单/指南（默认 guide）")
    p.add_argument("--category", default="未分类", metavar="分类", help="分类（默认 未分类）")
    p.add_argument("--dir", metavar="目录", help="放在内容目录下的哪个目录（默认 guides，清单放在 checklists）")
    p.add_argument("--publish", action="store_true", help="立即发布（默认存为草稿，读者看不到）")
    p.set_defaults(func=cmd_new)

    p = command("import", "导入 .docx（Word）、.html（网页）或 .md 文件为文章")
    p.add_argument("files", nargs="+", metavar="文件", help="要导入的文件，可以有多个")
    p.add_argument("--dir", default="guides", metavar="目录",
                   help="放在内容目录下的哪个目录，目录名也是文章的分类（默认 guides，分类为「未分类」）")
    p.set_defaults(func=cmd_import)

    p = command("links", "检查入职材料里指向本站的链接",
                "检查 Word、PowerPoint、PDF、网页、Markdown 和文本文件（或网址列表）里指向本站的每个链接："
                "正常、已改地址、已删除、失效或小节不存在。退出码：0 全部正常，1 有已删除、失效或小节不存在的，2 文件读不了")
    p.add_argument("files", nargs="+", metavar="文件", help="要检查的文件；- 表示从标准输入读网址列表")
    p.add_argument("--strict", action="store_true", help="地址改了的链接（仍能跳转）也算失败")
    p.add_argument("--all", action="store_true", help="也列出正常的链接")
    p.set_defaults(func=cmd_links)

    p = command("user", "管理账号：add、passwd、role、email、remove、list", ACCOUNTS_HELP)
    p.add_argument("action", choices=list(USER_ACTIONS), metavar="操作",
                   help="、".join(f"{k}（{v}）" for k, v in USER_ACTIONS.items()))
    p.add_argument("name", nargs="?", metavar="名字", help="用户名（list 不用写）")
    p.add_argument("--role", default="editor", choices=["reader", "editor", "approver", "admin"], metavar="角色",
                   help="reader（读者）、editor（编辑）、approver（审核人）或 admin（管理员），默认 editor")
    p.add_argument("--email", metavar="邮件地址", help="邮件地址（add、email 用；阅读确认提醒和关注的摘要发到这里）")
    p.add_argument("--group", action="append", metavar="组", help="加入的组（add 用，可以写多次），如 --group 财务处 --group 新员工")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码（脚本用；不再询问）")
    p.set_defaults(func=cmd_user)

    p = command("remind", "给还没确认须阅读文章的人发提醒邮件（可由计划任务每周运行）",
                "每人一封，列出要读的文章；remind_interval_hours（默认 24）小时内提醒过同一篇文章的人跳过。每次发送都记下来，"
                "「阅读确认」页上显示「上次提醒」。退出码：0 发完，1 没能发出（没有设置邮件服务器或服务器出错），2 没有这篇文章")
    p.add_argument("--article", metavar="文章", help="只提醒这篇文章（写它的 slug，如 newcomer-secrets）")
    p.add_argument("--group", metavar="组", help="只提醒这个组里的人，如 新员工")
    p.set_defaults(func=cmd_remind)

    p = command("digest", "给关注了文章的人发邮件摘要：上次摘要以来的更新（可由计划任务每天运行）")
    p.set_defaults(func=cmd_digest)

    p = command("group", "管理组（部门、岗位）和组的负责人")
    p.add_argument("action", choices=["list", "add", "remove", "members", "join", "leave", "managers", "manage", "unmanage"],
                   metavar="操作", help="list 列出所有组、add 添加组、remove 删除组、members 列出组里的人、join 把人加入组、"
                   "leave 把人移出组、managers 列出组的负责人、manage 指定负责人、unmanage 取消负责人"
                   "（负责人能看本组的人的阅读确认、发提醒）")
    p.add_argument("group", nargs="?", metavar="组", help="组名，如 财务处")
    p.add_argument("names", nargs="*", metavar="用户名",
                   help="用户名（join、leave、manage、unmanage 用；add 时是更多的组名）")
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
