"""bench/drcd.py turns SQuAD-format data into a knowledge base and measures searches on it.

Only synthetic data here: DRCD itself lives in ../shared, which a user's clone does not have.
"""
import json

import pytest

from bench import drcd
from bench.baselines import Fts5, JiebaTerms
from cli import main as kb_main

# Two articles in the shape of DRCD (Traditional characters), three paragraphs, three questions.
SQUAD = {"version": "1.3", "data": [
    {"title": "辦公室", "id": "11", "paragraphs": [
        {"id": "11-1", "context": "辦公室負責文件的收發。文件登記以後交給領導批閱。",
         "qas": [{"id": "11-1-1", "question": "文件由誰批閱？", "answers": [{"text": "領導", "answer_start": 16}]}]},
        {"id": "11-2", "context": "值班人員每天記錄來電，重要電話立即報告。",
         "qas": [{"id": "11-2-1", "question": "值班人員記錄什麼？", "answers": [{"text": "來電", "answer_start": 8}]}]},
    ]},
    {"title": "會議", "id": "12", "paragraphs": [
        {"id": "12-1", "context": "會議通知應當提前三天發出，並附上議程。",
         "qas": [{"id": "12-1-1", "question": "會議通知提前幾天發出？", "answers": [{"text": "三天", "answer_start": 8}]}]},
    ]},
]}
# enough of OpenCC's t2s for these texts, so that the test needs neither opencc nor ../shared
T2S = {ord(t): s for t, s in "辦办 負负 責责 領领 導导 閱阅 員员 記记 錄录 來来 電电 話话 報报 會会 議议 應应 並并 誰谁 麼么 幾几 發发 後后 給给".split()}


def to_simplified(text: str) -> str:
    return text.translate(T2S)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "DRCD_dev.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    return drcd.build_kb(drcd.load_split(path), tmp_path / "content", to_simplified)


def test_built_content_folder_passes_kb_check(corpus, tmp_path, capsys):
    assert kb_main(["check", str(tmp_path / "content")]) == 0
    assert "2 篇可用，0 个错误，0 个警告" in capsys.readouterr().out


def test_each_title_is_an_article_with_one_neutral_section_per_paragraph(corpus, tmp_path):
    text = (tmp_path / "content" / "drcd-11.md").read_text(encoding="utf-8")
    assert "title: 办公室\n" in text and "category: DRCD\n" in text
    assert "summary: 办公室负责文件的收发。\n" in text  # the first sentence
    assert text.count("## 段落 {#p") == 2
    assert "文件登记以后交给领导批阅。" in text


def test_questions_map_to_the_anchor_of_their_paragraph(corpus):
    wanted = {q.id: (q.text, q.original, q.paragraph.key) for q in corpus.questions}
    assert wanted == {
        "11-1-1": ("文件由谁批阅？", "文件由誰批閱？", "drcd-11#p1"),
        "11-2-1": ("值班人员记录什么？", "值班人員記錄什麼？", "drcd-11#p2"),
        "12-1-1": ("会议通知提前几天发出？", "會議通知提前幾天發出？", "drcd-12#p1"),
    }


def test_our_engine_finds_the_paragraph_of_a_question(corpus, tmp_path):
    ours = drcd.Ours(tmp_path / "content", tmp_path / "index")
    try:
        question = corpus.questions[1]
        outcome = drcd.outcome(question, ours.rank(question.text))
    finally:
        ours.close()
    assert outcome["article_rank"] == 1 and outcome["section@1"] and outcome["top"][0] == "drcd-11#p2"


def test_fts5_baseline_ranks_paragraphs_and_their_articles(corpus):
    fts5 = Fts5(*drcd.paragraph_documents(corpus), JiebaTerms())
    ranking = fts5.rank("会议通知")
    assert ranking.sections[0] == "drcd-12#p1" and ranking.articles[0] == "drcd-12"


def test_missing_data_skips_the_benchmark(tmp_path, capsys):
    assert drcd.main(["--data", str(tmp_path / "nowhere")]) == 0
    assert "optional" in capsys.readouterr().out
