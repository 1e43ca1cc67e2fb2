"""`kb group …` and the account options of `kb user`, through the real command."""
import subprocess
import sys

from tests.conftest import REPO


def kb(content, instance, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "cli", *args, "--content", str(content)], cwd=REPO, input=stdin,
                          capture_output=True, text=True, env={"KB_INSTANCE_DIR": str(instance), "PATH": "/usr/bin:/bin",
                                                               "HOME": str(instance)})


def test_groups_from_the_command_line(content_dir, tmp_path):
    inst = tmp_path / "instance"
    assert kb(content_dir, inst, "user", "add", "小王", "--role", "reader", "--email", "wang@example.cn",
              "--group", "新员工", "--password-stdin", stdin="long-enough\n").returncode == 0
    assert kb(content_dir, inst, "user", "add", "小李", "--role", "reader", "--password-stdin",
              stdin="long-enough\n").returncode == 0
    assert kb(content_dir, inst, "group", "add", "财务处", "审计处").returncode == 0
    assert kb(content_dir, inst, "group", "join", "财务处", "小王", "小李").returncode == 0
    missing = kb(content_dir, inst, "group", "join", "财务处", "没有这人")
    assert missing.returncode == 1 and "没有这些用户：没有这人" in missing.stderr
    assert kb(content_dir, inst, "group", "members", "财务处").stdout.split() == ["小李", "小王"]
    listing = kb(content_dir, inst, "group", "list").stdout
    assert "财务处\t2 人\t本站" in listing and "审计处\t0 人" in listing and "新员工\t1 人" in listing
    assert kb(content_dir, inst, "group", "leave", "财务处", "小李").returncode == 0
    users = kb(content_dir, inst, "user", "list").stdout
    assert "小王\treader（读者）" in users and "新员工、财务处" in users.replace("财务处、新员工", "新员工、财务处")
    assert "wang@example.cn" in users
    bad = kb(content_dir, inst, "group", "add", "全体")
    assert bad.returncode == 1 and "表示所有人" in bad.stderr
    assert "用法" in kb(content_dir, inst, "group", "--help").stdout or "usage" in kb(content_dir, inst, "group", "--help").stdout


def test_a_groups_managers_from_the_command_line(content_dir, tmp_path):
    inst = tmp_path / "instance"
    for name in ("处长", "副处长"):
        assert kb(content_dir, inst, "user", "add", name, "--role", "reader", "--password-stdin",
                  stdin="long-enough\n").returncode == 0
    assert kb(content_dir, inst, "group", "add", "财务处").returncode == 0
    assert kb(content_dir, inst, "group", "manage", "财务处", "处长", "副处长").returncode == 0
    assert sorted(kb(content_dir, inst, "group", "managers", "财务处").stdout.split()) == ["副处长", "处长"]
    assert "负责人：副处长、处长" in kb(content_dir, inst, "group", "list").stdout
    assert kb(content_dir, inst, "group", "unmanage", "财务处", "副处长").returncode == 0
    assert kb(content_dir, inst, "group", "managers", "财务处").stdout.split() == ["处长"]
    missing = kb(content_dir, inst, "group", "manage", "财务处", "没有这人")
    assert missing.returncode == 1 and "没有这些用户：没有这人" in missing.stderr
    nogroup = kb(content_dir, inst, "group", "manage", "审计处", "处长")
    assert nogroup.returncode == 1 and "没有组 “审计处”" in nogroup.stderr
