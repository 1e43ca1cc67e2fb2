"""Several nodes, one content: each node's folder a clone of one shared (bare) repository, with
real git. The site's use of it (saves, the keeper, /healthz) is tested in tests/web/test_nodes.py."""
import subprocess

import pytest

from kb.history import History, RemoteConflict
from kb.remote import Remote, RemoteError, RemoteStatus


def git(folder, *args) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def nodes(tmp_path):
    """(bare repository, node a, node b): a's folder had the articles and filled the empty shared
    repository; b started from nothing and was cloned."""
    bare = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    first = tmp_path / "a"
    (first / "guides").mkdir(parents=True)
    for name in ("one", "two"):
        (first / "guides" / f"{name}.md").write_text(f"# {name}\n\n第一行\n第二行\n第三行\n", encoding="utf-8")
    a = Remote(History(first), str(bare), "main", tmp_path / "instance-a")
    a.prepare()
    b = Remote(History(tmp_path / "b"), str(bare), "main", tmp_path / "instance-b")
    b.prepare()
    return bare, a, b


def edit(remote: Remote, rel: str, old: str, new: str, who: str = "编辑") -> None:
    path = remote.root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    remote.history.commit([rel], who, f"{who}@example.cn", f"改 {rel}")


def test_the_second_node_starts_from_a_clone_of_what_the_first_put_there(nodes):
    bare, a, b = nodes
    assert (b.root / "guides" / "one.md").read_text(encoding="utf-8").startswith("# one")
    assert git(bare, "rev-parse", "main") == git(a.root, "rev-parse", "HEAD") == git(b.root, "rev-parse", "HEAD")


def test_a_published_save_reaches_the_other_node_at_its_next_sync(nodes):
    bare, a, b = nodes
    with a.history.locked():
        edit(a, "guides/one.md", "第二行", "甲改的第二行")
        pushed = a.publish(["guides/one.md"]).pushed
    assert git(bare, "rev-parse", "main") == pushed
    synced = b.sync()
    assert synced.changed == ["guides/one.md"] and synced.error is None
    assert "甲改的第二行" in (b.root / "guides" / "one.md").read_text(encoding="utf-8")


def test_two_nodes_saving_the_same_file_one_lands_the_other_is_taken_back(nodes):
    bare, a, b = nodes
    with a.history.locked():
        edit(a, "guides/one.md", "第三行", "甲的第三行")
        a.publish(["guides/one.md"])
    with b.history.locked():  # b has not fetched: its save starts from the version both opened
        edit(b, "guides/one.md", "第一行", "乙的第一行")
        with pytest.raises(RemoteConflict):
            b.publish(["guides/one.md"])
    text = (b.root / "guides" / "one.md").read_text(encoding="utf-8")
    assert "甲的第三行" in text and "乙的第一行" not in text  # the file is a's version again
    assert git(b.root, "rev-parse", "HEAD") == git(bare, "rev-parse", "main")
    assert git(bare, "log", "-1", "--format=%an", "main") == "编辑"


def test_saves_of_different_files_on_two_nodes_both_land(nodes):
    bare, a, b = nodes
    with a.history.locked():
        edit(a, "guides/one.md", "第一行", "甲的第一行")
        a.publish(["guides/one.md"])
    with b.history.locked():
        edit(b, "guides/two.md", "第一行", "乙的第一行")
        synced = b.publish(["guides/two.md"])
    assert synced.changed == ["guides/one.md"]  # a's save came with it
    assert git(bare, "rev-parse", "main") == synced.pushed == git(b.root, "rev-parse", "HEAD")
    assert "乙的第一行" in git(bare, "show", "main:guides/two.md")
    assert "甲的第一行" in git(bare, "show", "main:guides/one.md")


def _twenty_addresses(a, b) -> None:
    lines = ",\n".join(f'{{"number": {n}, "slug": "a{n}", "path": "guides/a{n}.md", "title": "第 {n} 篇"}}'
                       for n in range(1, 21))
    (a.root / "_addresses.yaml").write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    with a.history.locked():
        a.history.commit(["_addresses.yaml"], "编辑", "e@example.cn", "地址")
        a.publish(["_addresses.yaml"])
    b.sync()


def _new_article(node, slug: str) -> list[str]:
    """Write and commit a new article numbered 21 (the next number), as a save does."""
    registry = node.root / "_addresses.yaml"
    entry = f'{{"number": 21, "slug": "{slug}", "path": "guides/{slug}.md", "title": "{slug} 的新文章"}}'
    registry.write_text(registry.read_text(encoding="utf-8").replace("}\n]", "},\n" + entry + "\n]"), encoding="utf-8")
    (node.root / "guides" / f"{slug}.md").write_text(f"# {slug}\n\n新文章\n", encoding="utf-8")
    paths = [f"guides/{slug}.md", "_addresses.yaml"]
    node.history.commit(paths, f"{slug} 编辑", "e@example.cn", f"新建 {slug}")
    return paths


def test_saves_of_different_articles_that_both_record_addresses_both_land(nodes):
    """A save records its article's addresses (a new title, renamed headings) in _addresses.yaml,
    in the same commit: two nodes saving two different articles at once both change that file,
    on different lines. git merges them; neither save is the conflict page."""
    bare, a, b = nodes
    _twenty_addresses(a, b)
    for node, rel, old, new, line in ((a, "guides/one.md", "第一行", "甲的第一行", "第 3 篇"),
                                      (b, "guides/two.md", "第二行", "乙的第二行", "第 15 篇")):
        registry = node.root / "_addresses.yaml"
        registry.write_text(registry.read_text(encoding="utf-8").replace(f'"{line}"', f'"{line}（新标题）"'),
                            encoding="utf-8")
        with node.history.locked():  # b has not fetched a's save: its push is refused first
            (node.root / rel).write_text((node.root / rel).read_text(encoding="utf-8").replace(old, new),
                                         encoding="utf-8")
            node.history.commit([rel, "_addresses.yaml"], "编辑", "e@example.cn", f"改 {rel}")
            synced = node.publish([rel, "_addresses.yaml"])
    assert synced.pushed == git(bare, "rev-parse", "main")
    shared = git(bare, "show", "main:_addresses.yaml")
    assert "第 3 篇（新标题）" in shared and "第 15 篇（新标题）" in shared
    assert "甲的第一行" in git(bare, "show", "main:guides/one.md") and "乙的第二行" in git(bare, "show", "main:guides/two.md")


def test_saves_that_change_the_same_line_of_the_addresses_are_a_conflict(nodes):
    """Where git cannot merge the addresses (the same article's line: its title changed on both
    nodes, in two files that each keep it), the later save is the conflict page as before."""
    bare, a, b = nodes
    (a.root / "_addresses.yaml").write_text('[\n{"number": 1, "slug": "x", "path": "guides/x.md", "title": "旧"}\n]\n',
                                            encoding="utf-8")
    with a.history.locked():
        a.history.commit(["_addresses.yaml"], "编辑", "e@example.cn", "地址")
        a.publish(["_addresses.yaml"])
    b.sync()
    for node, rel, title in ((a, "guides/one.md", "甲"), (b, "guides/two.md", "乙")):
        registry = node.root / "_addresses.yaml"
        registry.write_text(registry.read_text(encoding="utf-8").replace('"旧"', f'"{title}"'), encoding="utf-8")
        (node.root / rel).write_text(f"# {title}\n", encoding="utf-8")
        with node.history.locked():
            node.history.commit([rel, "_addresses.yaml"], "编辑", "e@example.cn", f"改 {rel}")
            if node is a:
                node.publish([rel, "_addresses.yaml"])
            else:
                with pytest.raises(RemoteConflict):
                    node.publish([rel, "_addresses.yaml"])
    assert '"甲"' in git(bare, "show", "main:_addresses.yaml")


def test_a_node_cut_off_keeps_its_save_says_so_and_pushes_it_when_the_repository_is_back(nodes, tmp_path):
    bare, a, b = nodes
    away = tmp_path / "away.git"
    bare.rename(away)
    with a.history.locked():
        edit(a, "guides/one.md", "第二行", "断网时保存的第二行")
        with pytest.raises(RemoteError):
            a.publish(["guides/one.md"])
    status = RemoteStatus.read(tmp_path / "instance-a")
    assert not status.ok and status.unpushed == 1
    assert "无法连接共享的内容仓库" in status.problem and "1 个保存还没有同步出去" in status.problem
    assert a.sync().error is not None
    away.rename(bare)
    assert a.sync().pushed == git(bare, "rev-parse", "main")
    assert RemoteStatus.read(tmp_path / "instance-a").problem is None
    b.sync()
    assert "断网时保存的第二行" in (b.root / "guides" / "one.md").read_text(encoding="utf-8")


def test_a_file_written_but_not_committed_when_the_node_died_is_committed_and_pushed(nodes):
    bare, a, b = nodes
    (a.root / "guides" / "one.md").write_text("# one\n\n写完就断电了\n", encoding="utf-8")
    (a.root / "guides" / "new.md").write_text("# new\n\n新文件\n", encoding="utf-8")
    a.sync()
    assert git(bare, "show", "main:guides/one.md").endswith("写完就断电了")
    assert sorted(b.sync().changed) == ["guides/new.md", "guides/one.md"]


def test_an_unpushed_commit_that_collides_is_kept_on_a_branch_never_dropped(nodes, tmp_path):
    bare, a, b = nodes
    with b.history.locked():  # b committed, then was killed before it could push
        edit(b, "guides/one.md", "第二行", "乙没来得及推送的第二行")
    with a.history.locked():
        edit(a, "guides/one.md", "第二行", "甲的第二行")
        a.publish(["guides/one.md"])
    synced = b.sync()
    assert len(synced.kept_apart) == 1 and synced.kept_apart[0].startswith("kb-conflict/")
    assert "乙没来得及推送的第二行" in git(bare, "show", f"{synced.kept_apart[0]}:guides/one.md")
    assert "甲的第二行" in (b.root / "guides" / "one.md").read_text(encoding="utf-8")
    assert "分支" in RemoteStatus.read(tmp_path / "instance-b").problem


def test_a_folder_with_its_own_unrelated_history_is_refused(nodes, tmp_path):
    bare, _, _ = nodes
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.md").write_text("# x\n", encoding="utf-8")
    with pytest.raises(RemoteError, match="不相关"):
        Remote(History(other), str(bare)).prepare()


def test_two_nodes_creating_an_article_each_at_once_both_land_with_their_own_numbers(nodes):
    """Both nodes number their new article with the next number, 21, on the same new last line
    of _addresses.yaml: git's lines cannot merge that. The registry's own rule can: the article
    that landed first keeps 21 (its short address is already out), the later one gets 22, and
    the later save lands instead of being the conflict page."""
    from kb.addresses import parse

    bare, a, b = nodes
    _twenty_addresses(a, b)
    for node, slug in ((a, "jia"), (b, "yi")):
        with node.history.locked():  # b has not fetched a's save: its push is refused first
            synced = node.publish(_new_article(node, slug))
    assert synced.pushed == git(bare, "rev-parse", "main")
    shared, problems = parse(git(bare, "show", "main:_addresses.yaml"))
    assert not problems and len(shared) == 22
    assert shared.by_slug["jia"].number == 21 and shared.by_slug["yi"].number == 22
    assert git(bare, "show", "main:guides/yi.md").startswith("# yi") and git(bare, "show", "main:guides/jia.md")
    assert git(bare, "log", "-1", "--format=%an %s", "main") == "yi 编辑 新建 yi"  # b's save, as its editor made it
    assert (b.root / "_addresses.yaml").read_text(encoding="utf-8") == git(bare, "show", "main:_addresses.yaml") + "\n"
    assert "_addresses.yaml" in synced.changed and "guides/jia.md" in synced.changed  # read again, with a's article


def test_a_new_article_saved_while_cut_off_lands_at_the_next_sync_with_the_next_free_number(nodes):
    """b numbered its new article 21 and was killed before it could push; meanwhile a numbered
    its own 21. At b's next sync its commit goes on top of a's with 22 — not onto a branch of
    its own, which would leave the article on b alone."""
    from kb.addresses import parse

    bare, a, b = nodes
    _twenty_addresses(a, b)
    with b.history.locked():
        _new_article(b, "yi")
    with a.history.locked():
        a.publish(_new_article(a, "jia"))
    synced = b.sync()
    assert synced.kept_apart == [] and synced.pushed == git(bare, "rev-parse", "main")
    shared, _ = parse(git(bare, "show", "main:_addresses.yaml"))
    assert shared.by_slug["jia"].number == 21 and shared.by_slug["yi"].number == 22
    assert git(bare, "log", "-1", "--format=%an %s", "main") == "yi 编辑 新建 yi"


def test_the_addresses_merge_leaves_a_real_conflict_to_the_conflict_page():
    from kb.addresses import merge
    entry = '{{"number": {n}, "slug": "{s}", "path": "guides/{s}.md", "title": "{t}"}}'
    reg = lambda *es: "[\n" + ",\n".join(entry.format(n=n, s=s, t=t) for n, s, t in es) + "\n]\n"  # noqa: E731
    base = reg((1, "x", "旧"))
    # the same article's title changed on both nodes
    assert merge(base, reg((1, "x", "甲")), reg((1, "x", "乙"))) is None
    # one slug created on both: two articles cannot have it
    assert merge(base, reg((1, "x", "旧"), (2, "y", "甲")), reg((1, "x", "旧"), (2, "y", "乙"))) is None
    # a registry that does not read whole is never rewritten
    assert merge(base, "[{", reg((1, "x", "旧"))) is None
    # changes on different entries and new ones on both: all kept
    merged = merge(base, reg((1, "x", "甲"), (2, "y", "新")), reg((1, "x", "旧"), (2, "z", "新")))
    assert merged is not None and '"slug": "y"' in merged and '"number": 3' in merged and '"title": "甲"' in merged
