"""A folder's ``_folder.yaml`` (kb.folders) gives its articles the fields they leave out."""
import os
import shutil

from kb import folders
from kb.store import ContentStore, load_catalog
from tests.conftest import FIXTURES, write_article


def test_articles_of_a_folder_take_its_readers_unless_they_name_their_own(tmp_path):
    (tmp_path / "finance" / "cash").mkdir(parents=True)
    (tmp_path / "finance" / "_folder.yaml").write_text("readers: [财务处]\nowner: 财务处\n", encoding="utf-8")
    (tmp_path / "finance" / "cash" / "_folder.yaml").write_text("readers: [出纳]\n", encoding="utf-8")
    write_article(tmp_path, "finance/budget.md", "正文。")
    write_article(tmp_path, "finance/open.md", "正文。", readers="[全体]")
    write_article(tmp_path, "finance/cash/seal.md", "正文。")
    write_article(tmp_path, "guides/plain.md", "正文。")
    catalog = load_catalog(tmp_path)
    meta = {a.rel_path: a.meta for a in catalog.articles}
    assert meta["finance/budget.md"]["readers"] == ["财务处"] and meta["finance/budget.md"]["owner"] == "财务处"
    assert meta["finance/open.md"]["readers"] == ["全体"]
    assert meta["finance/cash/seal.md"]["readers"] == ["出纳"]  # the nearer folder wins
    assert meta["finance/cash/seal.md"]["owner"] == "财务处"  # …for what it says; the farther one for the rest
    assert meta["guides/plain.md"]["readers"] == []
    notes = [p.message for p in catalog.problems if p.path == "finance/budget.md" and p.severity == "note"]
    assert any("取自 finance/_folder.yaml" in n for n in notes)


def test_a_wrong_folder_file_is_reported_with_its_lines(tmp_path):
    (tmp_path / "finance").mkdir()
    shutil.copy(FIXTURES / "folders" / "bad_folder.yaml", tmp_path / "finance" / "_folder.yaml")
    write_article(tmp_path, "finance/budget.md", "正文。")
    catalog = load_catalog(tmp_path)
    found = {(p.line, p.severity) for p in catalog.problems if p.path == "finance/_folder.yaml"}
    assert (2, "error") in found and (3, "error") in found
    assert [a.meta["owner"] for a in catalog.articles] == ["财务处"]  # what is right still applies


def test_the_store_reads_articles_again_when_their_folder_changes(tmp_path):
    (tmp_path / "finance").mkdir()
    write_article(tmp_path, "finance/budget.md", "正文。")
    store = ContentStore(tmp_path, light=True)
    assert store.catalog().articles[0].meta["readers"] == []
    (tmp_path / "finance" / "_folder.yaml").write_text("readers: [财务处]\n", encoding="utf-8")
    store.invalidate()
    assert store.catalog().articles[0].meta["readers"] == ["财务处"]
    folder_file = tmp_path / "finance" / "_folder.yaml"
    folder_file.write_text("readers: [审计处]\n", encoding="utf-8")
    os.utime(folder_file, ns=(1, 1))  # even with an older time: the size and time differ
    store.invalidate()
    assert store.catalog().articles[0].meta["readers"] == ["审计处"]


def test_which_folder_files_govern_an_article():
    assert folders.governing("a.md") == ["_folder.yaml"]
    assert folders.governing("finance/cash/seal.md") == ["_folder.yaml", "finance/_folder.yaml",
                                                         "finance/cash/_folder.yaml"]
    assert folders.under("finance/_folder.yaml", ["finance/a.md", "financial/b.md", "finance/x/c.md"]) == \
        ["finance/a.md", "finance/x/c.md"]


def test_a_folder_file_edited_keeps_its_comments_and_other_fields(tmp_path):
    text = "# 财务处的文件\nreaders: [财务处]\nowner: 财务处  # 科室\n"
    assert folders.with_values(text, {"readers": None, "required_for": "[新员工]"}) == \
        "# 财务处的文件\nowner: 财务处  # 科室\nrequired_for: [新员工]\n"
    assert folders.with_values(text, {"readers": "[财务处, 审计处]"}) == \
        "# 财务处的文件\nreaders: [财务处, 审计处]\nowner: 财务处  # 科室\n"
    assert folders.with_values("", {"readers": "[甲]"}) == "readers: [甲]\n"
    assert folders.with_values("readers: [甲]\n", {"readers": None}) == ""
    assert folders.of_articles(["guides/a.md", "finance/cash/b.md", "top.md"]) == ["", "finance", "finance/cash", "guides"]
    assert folders.file_of("") == "_folder.yaml" and folders.file_of("finance/") == "finance/_folder.yaml"
