import json
import subprocess
import sys

from tests.conftest import CONTENT


def kb(*args, tmp_path):
    return subprocess.run([sys.executable, "-m", "cli", *args, "--content", str(CONTENT), "--index", str(tmp_path / "ix")],
                          capture_output=True, text=True, timeout=120)


def test_index_then_search_in_the_terminal(tmp_path):
    built = kb("index", "--quiet", tmp_path=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "重建了索引" in built.stdout
    found = kb("search", "请示汇报", tmp_path=tmp_path)
    assert found.returncode == 0
    assert "/a/office-service-work#请示汇报原则" in found.stdout
    assert "【请示汇报】" in found.stdout or "【请示】" in found.stdout


def test_search_json_has_the_api_shape(tmp_path):
    out = kb("search", "保密", "--json", tmp_path=tmp_path)
    data = json.loads(out.stdout)
    assert set(data) == {"query", "total", "page", "results", "facets", "took_ms", "covered"}
    assert data["results"][0]["url"].startswith("/a/")


def test_new_creates_an_article_that_passes_check(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    made = subprocess.run([sys.executable, "-m", "cli", "new", "会议纪要写法", "--slug", "meeting-minutes", "--type", "流程",
                           "--content", str(content)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    made_text = (content / "guides" / "meeting-minutes.md").read_text(encoding="utf-8")
    assert "status: draft" in made_text and "## 办理步骤" in made_text  # a draft, from the procedure's skeleton
    assert "草稿" in made.stdout
    checked = subprocess.run([sys.executable, "-m", "cli", "check", str(content)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    again = subprocess.run([sys.executable, "-m", "cli", "new", "重复", "--slug", "meeting-minutes", "--content", str(content)],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "已被另一篇文章使用" in again.stderr and "换一个 slug" in again.stderr
    ready = subprocess.run([sys.executable, "-m", "cli", "new", "印章管理", "--slug", "seals", "--type", "制度", "--publish",
                            "--content", str(content)], capture_output=True, text=True)
    assert ready.returncode == 0, ready.stderr
    assert "status: draft" not in (content / "guides" / "seals.md").read_text(encoding="utf-8")


def test_search_in_the_terminal_says_when_the_results_lack_the_query_words(tmp_path):
    found = kb("search", "会议纪要怎么写", tmp_path=tmp_path)
    assert found.returncode == 0
    assert "没有找到讲“会议纪要”的内容；下面的结果只含“会议”。" in found.stdout
