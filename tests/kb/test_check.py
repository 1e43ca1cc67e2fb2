import shutil
import subprocess
import sys

from cli import main
from kb.store import load_catalog
from tests.conftest import CONTENT, FIXTURES

BAD = FIXTURES / "bad"


def problems_by_file():
    catalog = load_catalog(BAD)
    found: dict[str, list] = {}
    for p in catalog.problems:
        found.setdefault(p.path, []).append(p)
    return catalog, found


def test_each_kind_of_bad_file_gets_its_own_message_with_file_and_line():
    _, found = problems_by_file()
    expected = {
        "invalid_yaml.md": (5, "YAML 格式错误"),
        "unclosed_front_matter.md": (1, "没有结束行"),
        "duplicate_key.md": (8, "字段 title 重复出现"),
        "unknown_type.md": (4, "type “通知” 无效"),
        "empty_body.md": (9, "正文为空"),
        "not_utf8.md": (2, "不是 UTF-8 编码"),
    }
    for name, (line, words) in expected.items():
        assert any(p.line == line and words in p.message for p in found[name]), (name, found.get(name))


def test_missing_fields_are_each_named_with_the_default_chosen():
    catalog, found = problems_by_file()
    (note,) = found["missing_fields.md"]
    assert note.severity == "note" and note.message.startswith("未写的字段用了默认值")
    for field in ("type guide", "category “未分类”", "summary（取自正文第一段）", "updated "):
        assert field in note.message
    assert catalog.get("missing-fields").summary == "正文。"


def test_invalid_slug_and_date_are_explained():
    _, found = problems_by_file()
    messages = " ".join(p.message for p in found["bad_slug_and_date.md"])
    assert "slug “会议 筹备” 无效" in messages
    assert "YYYY-MM-DD" in messages and "2026/13/01" in messages


def test_broken_links_and_anchors_are_errors_on_their_lines():
    _, found = problems_by_file()
    messages = {(p.line, p.message) for p in found["broken_links.md"]}
    assert (12, "链接 “no-such-article” 无效：没有 slug 为 “no-such-article” 的文章") in messages
    assert any(line == 14 and "没有小节 #没有这一节" in m for line, m in messages)


def test_duplicate_slug_names_the_other_file():
    _, found = problems_by_file()
    assert any("duplicate_slug.md" in p.message and "good-article" in p.message for p in found["good.md"])


def test_one_bad_file_never_hides_the_others():
    catalog, found = problems_by_file()
    assert len(found) >= 9
    assert catalog.get("good-article") is not None


def test_near_duplicate_of_a_published_article_is_flagged(content_dir):
    shutil.copy(FIXTURES / "near_duplicate" / "office-service-work-pdf.md", content_dir / "office-service-work-pdf.md")
    warnings = [p for p in load_catalog(content_dir).problems if p.severity == "warning"]
    assert any("office-service-work" in p.message and "重复" in p.message for p in warnings)


def test_check_exit_code_and_output(capsys):
    assert main(["check", str(BAD)]) == 1
    out = capsys.readouterr().out
    assert "错误（" in out and "not_utf8.md:2" in out


def test_check_never_shows_a_traceback_on_bad_files():
    run = subprocess.run([sys.executable, "-m", "cli", "check", str(BAD)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout


def test_bundled_content_passes_with_no_errors_and_no_warnings(capsys):
    assert main(["check", str(CONTENT)]) == 0
    out = capsys.readouterr().out
    assert "0 个错误，0 个警告" in out
