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


def test_listing_the_accounts_of_a_folder_without_any_says_so_and_where_they_would_be(monkeypatch, capsys, tmp_path):
    (tmp_path / "content").mkdir()
    monkeypatch.setenv("KB_INSTANCE_DIR", str(tmp_path / "instance"))
    code, out = run(monkeypatch, capsys, tmp_path, "list")
    assert code == 0 and out.out == ""  # a script reading the list gets no accounts
    assert f"内容目录 {tmp_path / 'content'} 还没有账号" in out.err and "user add admin --role admin" in out.err
    assert str(tmp_path / "instance" / "kb.sqlite3") in out.err


def test_a_short_password_on_standard_input_is_refused_with_the_reason(monkeypatch, capsys, tmp_path):
    (tmp_path / "content").mkdir()
    monkeypatch.setenv("KB_INSTANCE_DIR", str(tmp_path / "instance"))
    code, out = run(monkeypatch, capsys, tmp_path, "add", "王五", "--password-stdin", stdin="short\n")
    assert code == 1 and "没有添加用户 王五：密码至少要 8 个字符" in out.err
    code, out = run(monkeypatch, capsys, tmp_path, "list")
    assert "王五" not in out.out


def converse(command: list[str], env: dict, steps: list[tuple[str, str]], seconds: float = 60) -> tuple[int, str]:
    """Run ``command`` at a terminal (a pseudo-terminal, as getpass needs), answering each
    (prompt, answer) in turn; its exit code and everything it wrote."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its controlling terminal, as in a shell
        os.execvpe(command[0], command, env)
    seen, answered, deadline = b"", 0, time.monotonic() + seconds
    try:
        for prompt, answer in steps:
            while prompt.encode() not in seen[answered:]:
                assert time.monotonic() < deadline, seen.decode("utf-8", "replace")
                if select.select([fd], [], [], 0.5)[0]:
                    seen += os.read(fd, 4096)
            answered = seen.index(prompt.encode(), answered) + len(prompt.encode())
            os.write(fd, answer.encode() + b"\n")
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # the child has gone: the terminal is closed
                    break
                if not chunk:
                    break
                seen += chunk
        return os.waitpid(pid, 0)[1] >> 8, seen.decode("utf-8", "replace")
    finally:
        os.close(fd)


def test_a_too_short_or_mistyped_password_is_asked_again_at_a_terminal(tmp_path):
    import os
    import sys

    (tmp_path / "content").mkdir()
    env = {**os.environ, "KB_INSTANCE_DIR": str(tmp_path / "instance")}
    command = [sys.executable, "-m", "cli", "user", "add", "王五", "--role", "admin", "--content", str(tmp_path / "content")]
    code, screen = converse(command, env, [
        ("密码：", "short"),
        ("密码：", "long-enough-pw"), ("再输入一次：", "long-enough-px"),
        ("密码：", "long-enough-pw"), ("再输入一次：", "long-enough-pw"),
    ])
    assert code == 0, screen
    assert "密码至少要 8 个字符，请重新输入" in screen and "两次输入的密码不一样，请重新输入" in screen
    assert "已添加用户 王五（管理员）" in screen
    from kb.users import Users

    users = Users(f"sqlite:///{tmp_path / 'instance' / 'kb.sqlite3'}")
    assert users.verify("王五", "long-enough-pw") is not None
    users.close()
