"""A folder's ``_folder.yaml`` (kb.folders) decides what its articles' index documents hold:
the index follows it though no article's bytes changed — named in an update (the keeper's
watcher) or found by a look at the whole folder (a start, the keeper's periodic look)."""
import pytest

from search.interface import Query, Scope
from tests.conftest import engine_for, write_article

OUTSIDER = Scope(only={"readers": ("全体",)})


@pytest.fixture
def folder(tmp_path):
    content = tmp_path / "content"
    write_article(content, "finance/budget.md", "戊午预算编制的要求。", slug="budget-rules", title="预算编制")
    write_article(content, "guides/plain.md", "一般的办公要求。", slug="plain-rules", title="一般要求")
    engine = engine_for(content, tmp_path / "index")
    engine.index()
    yield content, engine
    engine.close()


def found(engine, scope=OUTSIDER) -> int:
    return engine.search(Query("戊午预算", scope=scope)).total


@pytest.mark.parametrize("named", [True, False], ids=["named", "whole folder"])
def test_a_folder_restricted_after_indexing_is_hidden_at_once(folder, named):
    content, engine = folder
    assert found(engine) == 1
    (content / "finance" / "_folder.yaml").write_text("readers: [财务处]\n", encoding="utf-8")
    report = engine.update(["finance/_folder.yaml"]) if named else engine.index()
    assert report.changed == 1
    assert found(engine) == 0
    assert found(engine, Scope(only={"readers": ("财务处", "全体")})) == 1
    (content / "finance" / "_folder.yaml").unlink()
    engine.update(["finance/_folder.yaml"]) if named else engine.index()
    assert found(engine) == 1


def test_an_unchanged_folder_file_reindexes_nothing(folder):
    content, engine = folder
    (content / "finance" / "_folder.yaml").write_text("readers: [财务处]\n", encoding="utf-8")
    engine.index()
    assert not engine.index().changed_anything
    assert not engine.update(["finance/_folder.yaml"]).changed_anything
