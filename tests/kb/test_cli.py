"""The `kb` command as staff meet it: one clear Chinese line for a mistake, never a traceback."""
import socket
import subprocess
import sys

from tests.conftest import CONTENT


def kb(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120, **kwargs)


def test_serve_on_a_busy_port_says_which_and_how_to_pick_another(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = kb("serve", "--content", str(CONTENT), "--index", str(tmp_path / "ix"), "--port", str(port))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and f"端口 {port} 已被占用" in lines[0] and f"--port {port + 1}" in lines[0]
    assert "Traceback" not in run.stderr + run.stdout


def test_serve_with_a_missing_content_folder_refuses_to_start(tmp_path):
    run = kb("serve", "--content", str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix"))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "内容目录" in lines[0] and "不存在" in lines[0]
    assert "Traceback" not in run.stderr + run.stdout


def test_search_prints_only_results_not_problems_of_other_files(content_dir, tmp_path):
    (content_dir / "guides" / "broken.md").write_text("---\ntitle: [\n---\n正文\n", encoding="utf-8")
    run = kb("search", "请示汇报", "--content", str(content_dir), "--index", str(tmp_path / "ix"))
    assert run.returncode == 0
    assert run.stderr == ""
    assert "broken.md" not in run.stdout and "/a/office-service-work#请示汇报原则" in run.stdout
