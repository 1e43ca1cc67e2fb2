"""The contract every search engine must keep (search.interface), run against two engines: the
fast one (Whoosh plus the ranking matrix) and the reference (Whoosh's own matching and scoring).
A new engine — OpenSearch for an organisation beyond one machine, say — is added to BACKENDS
and must pass this file as it stands."""
import dataclasses

import pytest

from kb.config import load_config
from search.interface import IndexUnavailable, Query, Scope, SearchResult, open_engine
from tests.conftest import write_article

BACKENDS = ["whoosh", "reference"]


def _content(folder):
    write_article(folder, "rules/seal.md", "## 一、用印审批\n\n用印须经办公室主任审批登记。\n\n## 二、印章保管\n\n印章由专人保管。\n",
                  slug="seal-rules", title="印章管理办法", type="rule", category="行政", tags="[印章, 审批]",
                  updated="2025-03-01")
    write_article(folder, "rules/meeting.md", "## 一、会前准备\n\n会议通知提前三天发出，印章不得带入会场。\n\n## 二、会议纪要\n\n纪要当天整理。\n",
                  slug="meeting-rules", title="会议管理办法", type="rule", category="行政", tags="[会议]",
                  updated="2026-01-10")
    write_article(folder, "checklists/meeting.md", "## 会前\n\n- [ ] 发会议通知\n- [ ] 准备材料\n",
                  slug="meeting-checklist", title="会议筹备清单", type="checklist", category="清单", tags="[会议, 审批]",
                  updated="2024-06-30")
    write_article(folder, "guides/duty.md", "## 值班要求\n\n节假日值班要留守电话。\n", slug="duty-guide", title="值班指南",
                  type="guide", category="行政", updated="2023-02-02")
    return folder


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    content = _content(tmp_path / "content")
    config = dataclasses.replace(load_config(content_dir=content, index_dir=tmp_path / "index"),
                                 search_backend=request.param)
    engine = open_engine(config, cache_size=0) if request.param == "whoosh" else open_engine(config)
    yield engine
    engine.close()


@pytest.fixture
def built(engine):
    engine.index()
    return engine


def slugs(result: SearchResult) -> list[str]:
    return [h.slug for h in result.hits]


def test_without_an_index_nothing_is_searchable_and_health_says_so(engine):
    assert not engine.ready()
    assert engine.health().status == "indexing" and not engine.health().searchable
    with pytest.raises(IndexUnavailable):
        engine.search(Query("印章"))


def test_after_indexing_health_counts_the_articles(built):
    health = built.health()
    assert health.status == "ok" and health.searchable and health.articles == 4 and health.version >= 1


def test_a_word_finds_the_articles_that_have_it_each_once_with_the_section_that_answers(built):
    result = built.search(Query("用印"))
    assert slugs(result) == ["seal-rules"] and result.total == 1
    hit = result.hits[0]
    assert hit.section == "一、用印审批" and hit.anchor and hit.url == f"/a/seal-rules#{hit.anchor}"
    assert "<mark>用印</mark>" in hit.snippet
    both = built.search(Query("印章"))
    assert set(slugs(both)) == {"seal-rules", "meeting-rules"} and both.total == 2  # articles, not sections


def test_any_word_matches_and_more_words_matched_rank_higher(built):
    result = built.search(Query("印章 保管"))
    assert slugs(result)[0] == "seal-rules" and "meeting-rules" in slugs(result)


def test_a_phrase_is_required_and_an_excluded_word_removes(built):
    assert slugs(built.search(Query('"会议纪要"'))) == ["meeting-rules"]
    assert built.search(Query('"纪要会议"')).total == 0
    assert slugs(built.search(Query("印章"))) != ["seal-rules"]
    assert slugs(built.search(Query("印章 -会议"))) == ["seal-rules"]


def test_filters_from_the_query_and_from_the_text_keep_only_matching_articles(built):
    assert slugs(built.search(Query("会议", {"type": ("checklist",)}))) == ["meeting-checklist"]
    assert slugs(built.search(Query("会议 类型:清单"))) == ["meeting-checklist"]
    assert set(slugs(built.search(Query("", {"tags": ("审批",)})))) == {"seal-rules", "meeting-checklist"}
    assert set(slugs(built.search(Query("tag:审批 category:行政")))) == {"seal-rules"}
    assert built.search(Query("会议", {"category": ("没有这个分类",)})).total == 0


def test_facets_count_each_matching_article_once(built):
    result = built.search(Query("会议"))
    assert result.total == 2
    assert result.facets["type"] == {"rule": 1, "checklist": 1}
    assert result.facets["category"] == {"行政": 1, "清单": 1}
    assert result.facets["tags"] == {"会议": 2, "审批": 1}


def test_sorted_by_date_newest_first_and_filters_alone_list_newest_first(built):
    assert slugs(built.search(Query("会议 印章 值班", sort="updated"))) == \
        ["meeting-rules", "seal-rules", "meeting-checklist", "duty-guide"]
    assert slugs(built.search(Query("category:行政"))) == ["meeting-rules", "seal-rules", "duty-guide"]


def test_pages_split_the_results_and_keep_the_total(built):
    first = built.search(Query("category:行政", limit=2))
    second = built.search(Query("category:行政", limit=2, page=2))
    assert first.total == second.total == 3
    assert len(first.hits) == 2 and slugs(second) == ["duty-guide"]


def test_an_update_takes_a_changed_file_and_a_removed_one(built, tmp_path):
    content = tmp_path / "content"
    before = built.health().version
    write_article(content, "guides/duty.md", "## 值班要求\n\n节假日值班要登记访客。\n", slug="duty-guide", title="值班指南")
    built.update(["guides/duty.md"])
    assert slugs(built.search(Query("访客"))) == ["duty-guide"]
    assert built.search(Query("留守")).total == 0
    assert built.health().version == before + 1
    built.update(["guides/duty.md"])  # nothing changed since: not indexed again
    assert built.health().version == before + 1
    (content / "guides" / "duty.md").unlink()
    built.update(["guides/duty.md"])
    assert built.search(Query("访客")).total == 0 and built.health().articles == 3


def test_suggestions_offer_titles_while_typing(built):
    labels = [(s.label, s.kind, s.url) for s in built.suggest("印章")]
    assert ("印章管理办法", "title", "/a/seal-rules") in labels


def test_the_json_shape_is_the_contract(built):
    data = built.search(Query("印章")).to_json()
    assert {"query", "total", "page", "results", "facets", "took_ms"} <= set(data)
    hit = data["results"][0]
    assert {"slug", "title", "url", "section", "anchor", "heading_path", "snippet", "score", "type", "tags",
            "category", "updated", "more", "why"} <= set(hit)
    assert isinstance(hit["tags"], list) and isinstance(hit["type"], str)


def test_partial_matches_answer_with_results_sharing_characters(built):
    result = built.partial_matches(Query("用印章"))
    assert isinstance(result, SearchResult)
    assert "seal-rules" in slugs(result)


def test_a_scope_leaves_out_what_a_reader_may_not_see_before_counting(built):
    """What the application asks for a reader (search.interface.Scope): hidden values out, a
    limited field held to the reader's values — in results, totals, facets and suggestions."""
    hide_rules = Scope(hide={"type": ("rule",)})
    result = built.search(Query("会议 印章", scope=hide_rules))
    assert slugs(result) == ["meeting-checklist"] and result.total == 1
    assert result.facets["type"] == {"checklist": 1} and "行政" not in result.facets["category"]
    only = Scope(only={"tags": ("会议",)})  # an article with tags must have 会议; one without passes
    assert set(slugs(built.search(Query("category:行政", scope=only)))) == {"meeting-rules", "duty-guide"}
    assert all(s.url != "/a/seal-rules" for s in built.suggest("印章", scope=hide_rules))
    assert any(s.url == "/a/seal-rules" for s in built.suggest("印章"))
    assert not any(s.label == "印章" and s.kind == "tag" for s in built.suggest("印章", scope=only))


# --- document numbers and statuses (kb.docno, kb.lifecycle) --------------------------------

@pytest.fixture
def numbered(engine, tmp_path):
    """Two rules of one agency and year, another agency's rule of the same number, a repealed
    rule, and the seal rules mentioning a number in their text."""
    content = tmp_path / "content"
    write_article(content, "rules/n12.md", "## 第一条\n\n公务接待实行审批制度。\n", slug="reception-rules",
                  title="公务接待管理办法", type="rule", category="行政", doc_no="办发〔2024〕12号")
    write_article(content, "rules/n13.md", "## 第一条\n\n差旅费按标准报销。\n", slug="travel-rules",
                  title="差旅费管理办法", type="rule", category="行政", doc_no="办发〔2024〕13号")
    write_article(content, "rules/g12.md", "## 第一条\n\n公文处理要规范。\n", slug="state-document-rules",
                  title="公文处理规定", type="rule", category="行政", doc_no="国办发〔2024〕12号")
    write_article(content, "rules/old.md", "## 第一条\n\n接待标准另行规定。\n", slug="reception-rules-2019",
                  title="公务接待管理办法（2019 年）", type="rule", category="行政", doc_no="办发〔2019〕3号",
                  status="废止", repealed_on="2024-07-01", superseded_by="reception-rules")
    engine.index()
    return engine


@pytest.mark.parametrize("typed", ["办发〔2024〕12号", "办发[2024]12号", "办发【2024】12号", "办发（2024）12号",
                                   "办发(2024)12号", "办发〔２０２４〕１２号", "办发〔2024〕第12号", "办发〔2024〕12",
                                   "办发 〔2024〕 12 号", "办发 [2024] 第 12 号", "辦發〔2024〕12號"])
def test_a_document_number_finds_its_article_and_no_other_however_it_is_typed(numbered, typed):
    result = numbered.search(Query(typed))
    assert slugs(result) == ["reception-rules"] and result.total == 1, typed


def test_a_number_among_other_words_still_finds_its_article_first(numbered):
    assert slugs(numbered.search(Query("根据办发〔2024〕12号")))[0] == "reception-rules"
    assert slugs(numbered.search(Query("办发〔2024〕13号 报销")))[0] == "travel-rules"
    # another agency's code is not cut down to this one's: 国办发 is not 办发
    assert slugs(numbered.search(Query("国办发〔2024〕12号"))) == ["state-document-rules"]
    # the year and number alone find every agency's number 12 of 2024, and nothing else
    assert set(slugs(numbered.search(Query("〔2024〕12号")))) == {"reception-rules", "state-document-rules"}


def test_a_number_nobody_has_is_searched_as_the_words_typed(numbered):
    typed = numbered.search(Query("办发〔2030〕99号"))
    words = numbered.search(Query("办发 2030 99"))
    assert typed.total == words.total > 0 and set(slugs(typed)) == set(slugs(words))


def test_a_status_filter_and_all_statuses(numbered):
    assert slugs(numbered.search(Query("接待 状态:废止"))) == ["reception-rules-2019"]
    assert slugs(numbered.search(Query("接待", {"status": ("repealed",)}))) == ["reception-rules-2019"]
    everything = numbered.search(Query("接待 状态:全部"))
    assert set(slugs(everything)) == set(slugs(numbered.search(Query("接待")))) == {"reception-rules", "reception-rules-2019"}
    assert numbered.search(Query("status:all")).total == 8  # 全部 alone lists every article
    hidden = Scope(hide={"status": ("draft",)}).hiding({"status": ("repealed",)})
    result = numbered.search(Query("接待", scope=hidden))
    assert slugs(result) == ["reception-rules"] and result.total == 1 and "repealed" not in result.facets["status"]


def test_an_attachments_text_finds_its_article_and_the_hit_names_the_file(built, tmp_path):
    """Every engine indexes an article's attachments (kb.attachments) as documents of the article:
    a word inside one finds the article, shown by the attachment, with its name and link."""
    from tests.attachment_files import xlsx

    folder = tmp_path / "content" / "guides" / "duty.files"
    folder.mkdir()
    (folder / "值班登记表.xlsx").write_bytes(xlsx("节假日值班须登记访客车辆号牌"))
    built.update(["guides/duty.md"])  # the article's text did not change: its attachments did
    result = built.search(Query("车辆号牌"))
    assert slugs(result) == ["duty-guide"]
    hit = result.hits[0]
    assert hit.section == "附件：值班登记表.xlsx" and hit.url == "/a/duty-guide#附件-值班登记表.xlsx"
    assert hit.attachment["name"] == "值班登记表.xlsx"
    assert hit.attachment["url"].startswith("/a/duty-guide/files/") and "<mark>" in hit.snippet
    assert hit.to_json()["attachment"] == hit.attachment
    (folder / "值班登记表.xlsx").unlink()
    built.update(["guides/duty.md"])
    assert built.search(Query("车辆号牌")).total == 0


def test_each_result_says_which_of_the_query_words_it_matched(built):
    result = built.search(Query("印章 保管 值班"))
    by_slug = {h.slug: h for h in result.hits}
    assert set(by_slug["seal-rules"].matched) == {"印章", "保管"}
    assert by_slug["duty-guide"].matched == ["值班"]
    assert by_slug["seal-rules"].to_json()["matched"] == by_slug["seal-rules"].matched


def test_a_search_whose_distinctive_word_no_result_has_says_so_and_names_it(built):
    """会议 is in two articles, 发票 in none: the results answer only half of the question."""
    result = built.search(Query("会议 发票"))
    assert result.total == 2 and not result.covering.covered
    assert result.covering.missing == ("发票",) and "会议" in result.covering.found
    assert result.covering.note == "没有找到讲“发票”的内容；下面的结果只含“会议”。"
    data = result.to_json()
    assert data["covered"] is False and data["missing"] == ["发票"] and data["coverage_note"] == result.covering.note


def test_a_search_whose_words_the_results_have_is_covered(built):
    for text in ("会议 印章", "会议纪要", "用印 审批"):
        result = built.search(Query(text))
        assert result.covering.covered, text
        assert result.to_json()["covered"] is True and "missing" not in result.to_json()


def _pin(built, tmp_path, text):
    (tmp_path / "content" / "_pins.txt").write_text(text, encoding="utf-8")


def test_a_pinned_section_comes_first_marked_for_its_query_and_queries_meaning_the_same(built, tmp_path):
    _pin(built, tmp_path, "# 推荐答案\n节假日 值班 -> seal-rules#印章保管\n")
    for text in ("节假日 值班", "值班 节假日", "節假日值班"):  # word order, traditional characters, no space
        result = built.search(Query(text))
        first = result.hits[0]
        assert (first.slug, first.anchor, first.pinned) == ("seal-rules", "印章保管", True), text
        assert first.to_json()["pinned"] is True
        assert [h.slug for h in result.hits].count("seal-rules") == 1
        assert not any(h.pinned for h in result.hits[1:])
    assert not any(h.pinned for h in built.search(Query("值班")).hits)  # another query: no pin
    assert not any(h.pinned for h in built.search(Query("节假日 值班", page=2)).hits)


def test_a_pin_the_reader_may_not_see_or_the_filters_leave_out_is_not_shown(built, tmp_path):
    _pin(built, tmp_path, "值班 -> seal-rules\n")
    assert built.search(Query("值班")).hits[0].slug == "seal-rules"
    hidden = built.search(Query("值班", scope=Scope(hide={"type": ("rule",)})))
    assert "seal-rules" not in slugs(hidden) and not any(h.pinned for h in hidden.hits)
    filtered = built.search(Query("值班", {"type": ("guide",)}))
    assert slugs(filtered) == ["duty-guide"]


def test_a_pin_whose_target_is_not_in_the_index_shows_nothing(built, tmp_path):
    _pin(built, tmp_path, "值班 -> no-such-article\n值班 -> seal-rules#no-such-section\n")
    assert slugs(built.search(Query("值班"))) == ["duty-guide"]


def _lifecycle_articles(built, tmp_path):
    content = tmp_path / "content"
    body = "## 用章\n\n公章使用须登记，公章外借须审批。\n"
    written = [
        write_article(content, "rules/seal-trial.md", body, slug="seal-trial", title="公章使用规定", status="trial"),
        write_article(content, "rules/seal-now.md", body, slug="seal-now", title="公章使用规定"),
        # the old rule says 公章 far more often than its replacement: it would rank first by its words
        write_article(content, "rules/seal-old.md", "## 公章\n\n公章公章公章：公章使用、公章外借、公章保管。\n",
                      slug="seal-old", title="公章管理旧办法", status="repealed", superseded_by="seal-new"),
        write_article(content, "rules/seal-new.md", "## 印鉴\n\n印鉴由办公室保管，使用公章须登记。\n",
                      slug="seal-new", title="印鉴管理办法", supersedes="[seal-old]"),
        write_article(content, "rules/stamp-gone.md", "## 钢印\n\n钢印与公章一并保管。\n", slug="stamp-gone",
                      title="钢印旧规定", status="repealed"),
    ]
    built.update([p.relative_to(content).as_posix() for p in written])


def test_a_rule_in_force_ranks_before_the_same_rule_on_trial(built, tmp_path):
    _lifecycle_articles(built, tmp_path)
    found = slugs(built.search(Query("公章使用 登记")))
    assert found.index("seal-now") < found.index("seal-trial")


def test_a_repealed_rule_is_never_above_its_replacement_and_without_one_is_still_found(built, tmp_path):
    _lifecycle_articles(built, tmp_path)
    for text in ("公章", "公章 外借 保管", "公章使用"):
        found = slugs(built.search(Query(text)))
        assert "seal-old" in found and found.index("seal-new") < found.index("seal-old"), (text, found)
    assert "stamp-gone" in slugs(built.search(Query("钢印")))


def test_a_section_headed_by_the_time_a_question_names_comes_first(built, tmp_path):
    content = tmp_path / "content"
    written = [  # the checklist's heading is the question's time, in other words (返回后 for 回来以后)
        write_article(content, "guides/trip.md", "## 纪律\n\n出差期间遵守纪律，按时上班。\n", slug="trip-guide",
                      title="差旅须知"),
        write_article(content, "checklists/trip.md", "## 出发前\n\n- [ ] 订票\n\n## 返回后\n\n- [ ] 出差报销\n",
                      slug="trip-checklist", title="出差清单", type="checklist"),
        write_article(content, "checklists/daily.md", "## 每日：值班\n\n- [ ] 接电话\n\n## 每周：例会\n\n- [ ] 开会\n",
                      slug="duty-checklist", title="主任工作清单", type="checklist"),
    ]
    built.update([p.relative_to(content).as_posix() for p in written])
    first = built.search(Query("出差回来以后要做什么")).hits[0]
    assert (first.slug, first.section) == ("trip-checklist", "返回后")  # not the article as a whole
    first = built.search(Query("主任每天要做什么")).hits[0]  # 每天: the period the text writes 每日
    assert (first.slug, first.section) == ("duty-checklist", "每日：值班")


def test_a_synonym_the_index_splits_into_words_is_looked_for_as_those_words_side_by_side(built, tmp_path):
    """保守秘密 is 保守 / 秘密 to the segmenter. Listed with 保密, a search for 保密 finds the text
    that says 保守秘密 (and names it as the synonym), not one where 保守 and 秘密 stand apart; and
    typed as one, 保守秘密 finds the text that says 保密."""
    content = tmp_path / "content"
    (content / "_synonyms.txt").write_text("保密 保守秘密\n", encoding="utf-8")
    written = [
        write_article(content, "guides/discipline.md", "## 纪律\n\n办公室人员要保守秘密，不该说的不说。\n",
                      slug="discipline", title="工作纪律"),
        write_article(content, "guides/apart.md", "## 作风\n\n工作作风要保守稳重，文件秘密等级要标清。\n",
                      slug="apart", title="作风要求"),
        write_article(content, "rules/secrets.md", "## 定密\n\n涉密文件按保密规定管理。\n", slug="secrets",
                      title="定密规定", type="rule"),
    ]
    built.update([p.relative_to(content).as_posix() for p in written])
    found = built.search(Query("保密"))
    assert "discipline" in slugs(found) and "apart" not in slugs(found)
    hit = next(h for h in found.hits if h.slug == "discipline")
    assert hit.matched == ["保守秘密"]
    found = built.search(Query("保守秘密"))
    assert {"discipline", "apart", "secrets"} <= set(slugs(found)) and found.covering.covered
    assert next(h for h in found.hits if h.slug == "secrets").matched == ["保密"]


def test_words_typed_side_by_side_rank_the_text_that_has_them_side_by_side_first(built, tmp_path):
    """「保守秘密」 is 保守 / 秘密 to the segmenter: the text that says 保守秘密 answers it before
    one that says 保守 here and 秘密 there, which BM25 alone puts first. Typed apart,
    「保守 秘密」 asks for the two words, not the compound."""
    content = tmp_path / "content"
    written = [
        write_article(content, "guides/discipline.md", "## 纪律\n\n办公室人员要保守秘密，不该说的不说。\n",
                      slug="discipline", title="工作纪律"),
        write_article(content, "guides/apart.md", "## 作风\n\n工作作风要保守稳重，文件秘密等级要标清。\n",
                      slug="apart", title="作风要求"),
    ]
    built.update([p.relative_to(content).as_posix() for p in written])
    assert slugs(built.search(Query("保守秘密")))[:2] == ["discipline", "apart"]
    assert slugs(built.search(Query("保守 秘密")))[:2] == ["apart", "discipline"]
