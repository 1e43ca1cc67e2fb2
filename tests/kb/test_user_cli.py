"""`kb user`: accounts from the command line, in the instance folder the site reads."""
import io

from cli import main


def run(monkeypatch, capsys, tmp_path, *args, stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["user", *args, "--content", str(tmp_path / "content")])
    return code, capsys.readouterr()


def test_add_list_change_and_remove_accounts(monkeypatch, capsys, tmp_path):
    (tmp_path / "content").mkdir()
    monkeypatch.setenv("KB_INSTANCE_DIR", str(tmp_path / "instance"))
    code, out = run(monkeypatch, capsys, tmp_path, "add", "张三", "--role", "admin", stdin="zhangsan-password\n")
    assert code == 0 and "已添加用户 张三（管理员）" in out.out
    assert (tmp_path / "instance" / "kb.sqlite3").is_file()
    run(monkeypatch, capsys, tmp_path, "add", "李四", stdin="lisi-password\n")
    code, out = run(monkeypatch, capsys, tmp_path, "list")
    assert "张三\tadmin（管理员）" in out.out and "李四\teditor（编辑）" in out.out
    code, out = run(monkeypatch, capsys, tmp_path, "add", "王五", stdin="short\n")
    assert code == 1 and "密码至少要 8 个字符" in out.err
    assert run(monkeypatch, capsys, tmp_path, "passwd", "李四", stdin="new-lisi-password\n")[0] == 0
    from kb.users import Users

    users = Users(f"sqlite:///{tmp_path / 'instance' / 'kb.sqlite3'}")
    assert users.verify("李四", "new-lisi-password") is not None
    users.close()
    code, out = run(monkeypatch, capsys, tmp_path, "remove", "张三")
    assert code == 1 and "最后一位管理员" in out.err
    assert run(monkeypatch, capsys, tmp_path, "remove", "李四")[0] == 0
