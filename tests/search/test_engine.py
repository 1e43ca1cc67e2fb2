import pytest

from kb.article import TYPES
from search.interface import Query
from tests.conftest import CONTENT, ask


def first(result):
    hit = result.hits[0]
    return f"{hit.slug}#{hit.anchor}" if hit.anchor else hit.slug


def test_keyword_puts_the_answering_section_first(searcher):
    result = ask(searcher, "请示汇报")
    assert first(result) == "office-service-work#请示汇报原则"
    assert "<mark>请示汇报</mark>" in result.hits[0].snippet or "<mark>请示</mark>" in result.hits[0].snippet


def test_confidentiality_guidance_is_at_the_top(searcher):
    top3 = [f"{h.slug}#{h.anchor}" for h in ask(searcher, "保密").hits[:3]]
    assert "office-service-work#安全保密原则" in top3 or any(s.startswith("confidentiality") for s in top3)


def test_natural_question_finds_the_checklist(searcher):
    result = ask(searcher, "领导出差陪同要准备什么")
    assert result.hits[0].slug == "leader-trip-preparation"


def test_words_need_not_all_match_but_more_matches_rank_higher(searcher):
    both = ask(searcher, "保密 会议")
    assert both.total >= ask(searcher, "会议").total - 0  # OR, not AND
    assert both.total >= 1
    top = both.hits[0]
    assert "保密" in top.snippet and "会议" in top.snippet


def test_one_result_per_article_with_more_sections_listed(searcher):
    result = ask(searcher, "办公室主任", limit=50)
    slugs = [h.slug for h in result.hits]
    assert len(slugs) == len(set(slugs))
    assert any(h.more for h in result.hits)


def test_exact_phrase_is_required(searcher):
    result = ask(searcher, '"知密早、知密多"')
    assert "office-service-work" in [h.slug for h in result.hits]
    for hit in result.hits:
        assert "<mark>知密早、知密多</mark>" in hit.snippet
    assert ask(searcher, '"知密多、知密早"').total == 0  # same words, other order: no match


def test_exclusion_removes_matching_sections(searcher):
    result = ask(searcher, "会议 -保密", limit=100)
    assert result.total > 0
    for hit in result.hits:
        assert "保密" not in hit.snippet


@pytest.mark.parametrize("q", ["type:清单 会议", "type:checklist 会议", "类型：清单 会议"])
def test_type_filter_in_the_query(searcher, q):
    result = ask(searcher, q)
    assert result.total >= 1
    assert {h.type for h in result.hits} == {"checklist"}


def test_filters_as_parameters_and_facet_counts(searcher):
    everything = ask(searcher, "办公室")
    assert sum(everything.facets["type"].values()) == everything.total
    assert set(everything.facets["type"]) <= set(TYPES)
    narrowed = ask(searcher, "办公室", type="checklist")
    assert narrowed.total == everything.facets["type"]["checklist"]
    tagged = ask(searcher, "", tag="保密")
    assert tagged.total >= 1 and all("保密" in h.tags for h in tagged.hits)


def test_sort_by_updated_date(searcher):
    result = ask(searcher, "办公室", sort="updated", limit=50)
    dates = [h.updated for h in result.hits]
    assert dates == sorted(dates, reverse=True)


def test_pagination(searcher):
    page1 = ask(searcher, "办公室", limit=3, page=1)
    page2 = ask(searcher, "办公室", limit=3, page=2)
    assert page1.total == page2.total > 3
    assert not {h.slug for h in page1.hits} & {h.slug for h in page2.hits}


def test_urls_point_at_the_section(searcher):
    hit = ask(searcher, "请示汇报").hits[0]
    assert hit.url == f"/a/{hit.slug}#{hit.anchor}"


@pytest.mark.parametrize("q", ["", "   ", "(((", '"', '"未闭合的引号', "AND OR NOT", "*?~^:[]{}", "a" * 10000,
                               "办公室" * 3000, "-", "type:", "tag:不存在", "OA系统 and 保密 123", "\x00", "🙂"])
def test_hostile_queries_never_raise(searcher, q):
    result = ask(searcher, q)
    assert result.total >= 0
    result.to_json()


def test_segmentation_fallback_finds_words_inside_other_words(tmp_path):
    from kb.config import load_config
    from search.writer import update_index
    from tests.conftest import engine_for, write_article

    content = tmp_path / "content"
    write_article(content, "a.md", "## 一、理论\n\n学习马克思主义理论。\n\n## 二、编号\n\n文件编号为5555555号。\n", slug="theory")
    config = load_config(content_dir=content, index_dir=tmp_path / "index")
    update_index(config)
    service = engine_for(content, config.index_path)
    try:
        assert first(ask(service, "马克思")) == "theory#理论"
        assert first(ask(service, "55")) == "theory#编号"
        assert first(ask(service, "克思主")) == "theory#理论"
    finally:
        service.close()


def test_homophone_typos_get_a_suggestion(searcher):
    assert ask(searcher, "保秘", correct=False).total == 0
    assert searcher.suggest_words("保秘") == "保密"
    assert searcher.suggest_words("办工室 值班") == "办公室 值班"
    assert searcher.suggest_words("保密") is None


def test_partial_matches_share_characters_with_the_query(searcher):
    result = searcher.partial_matches(Query("保密的检查"))
    assert result.hits and all("<mark>" in h.snippet for h in result.hits)


def test_repeated_searches_are_served_from_the_cache_until_the_index_changes(tmp_path):
    from kb.config import load_config
    from search.writer import update_index
    from tests.conftest import engine_for, write_article

    content = tmp_path / "content"
    write_article(content, "a.md", "## 一、甲\n\n值班安排。\n", slug="first")
    config = load_config(content_dir=content, index_dir=tmp_path / "index")
    update_index(config)
    service = engine_for(content, config.index_path)
    try:
        assert [h.slug for h in ask(service, "值班").hits] == ["first"]
        assert ask(service, "值班").hits[0].slug == "first"  # second time: from the cache
        write_article(content, "b.md", "## 一、乙\n\n值班记录。\n", slug="second")
        update_index(config)
        assert sorted(h.slug for h in ask(service, "值班").hits) == ["first", "second"]
    finally:
        service.close()


def test_synonyms_from_the_content_folder_widen_a_word(built_index, tmp_path):
    from tests.conftest import CONTENT, engine_for

    plain = engine_for(CONTENT, built_index, synonyms_path=tmp_path / "none.txt")
    widened = engine_for(CONTENT, built_index)
    try:
        assert "meeting-preparation" not in [h.slug for h in ask(plain, "开会").hits[:1]]
        assert ask(widened, "开会").hits[0].slug == "meeting-preparation"
        own = tmp_path / "synonyms.txt"
        own.write_text("开会 值班\n", encoding="utf-8")
        edited = engine_for(CONTENT, built_index, synonyms_path=own)
        assert ask(edited, "开会").total > ask(plain, "开会").total  # read from the file given
        edited.close()
    finally:
        plain.close()
        widened.close()


@pytest.mark.parametrize("q, answer", [
    ("督查督办", "director-daily-weekly#每周督查与落实"),
    ("办公室主任的基本要求", "office-service-work#当好办公室主任的基本要求"),
    ("大局意识", "ten-awareness#大局意识"),
])
def test_the_answering_section_comes_first(searcher, q, answer):
    assert first(ask(searcher, q)) == answer


def _dictionary_words():
    from search.analyzer import dictionary_words, read_dictionary
    from tests.conftest import CONTENT

    return dictionary_words(read_dictionary(CONTENT / "_dictionary.txt"))


@pytest.mark.parametrize("word", _dictionary_words())
def test_no_dictionary_word_finds_nothing(searcher, word):
    """An editor's dictionary word never makes the text around it unfindable: when no document
    contains it whole, its parts are found."""
    result = ask(searcher, word)
    assert result.total > 0
    assert all(h.snippet for h in result.hits)


def test_parts_of_a_word_rank_below_the_whole_word(tmp_path):
    from tests.conftest import engine_for, write_article

    content = tmp_path / "content"
    (content).mkdir()
    (content / "_dictionary.txt").write_text("督查督办\n", encoding="utf-8")
    write_article(content, "a.md", "## 一、甲\n\n督查督办是一项工作。\n", slug="whole")
    write_article(content, "b.md", "## 一、乙\n\n先督查，再督办。\n", slug="parts")
    engine = engine_for(content, tmp_path / "index")
    engine.index()
    try:
        assert [h.slug for h in ask(engine, "督查督办").hits] == ["whole", "parts"]
        assert ask(engine, "督查督办").hits[1].why.startswith("部分匹配")
    finally:
        engine.close()


@pytest.mark.parametrize("q", ["办公室工作的特点", "办公室工作的原则", "六有", "三不争", "保密", "领导"])
def test_no_result_has_an_empty_snippet(searcher, q):
    result = ask(searcher, q, limit=50)
    assert result.hits
    assert all(h.snippet.strip() for h in result.hits)


def test_a_parent_section_shows_text_from_its_subsections(searcher):
    hit = ask(searcher, "办公室工作的特点").hits[0]
    assert hit.anchor == "办公室工作的特点"
    assert "<mark>" in hit.snippet or "辅佐" in hit.snippet or "服务性" in hit.snippet


def test_a_section_that_says_more_is_shown_instead_of_the_summary(tmp_path):
    """The summary mentions 发票 in passing, the section is about it: the article is shown by
    the section. A query of title words alone is about the article and shows the article."""
    from tests.conftest import engine_for, write_article

    content = tmp_path / "content"
    content.mkdir()
    write_article(content, "trip.md", "## 一、出差审批\n\n出差前填写审批单，经部门负责人签字。\n\n"
                  "## 二、票据要求\n\n报销时提交发票原件，发票抬头须为单位全称，一个月内交齐。\n",
                  title="差旅费报销", slug="trip", summary="差旅费按规定报销，须附发票。")
    write_article(content, "other.md", "## 一、用车\n\n公务用车须提前申请。\n", title="车辆管理", slug="cars")
    engine = engine_for(content, tmp_path / "index")
    engine.index()
    try:
        hit = ask(engine, "差旅费 发票").hits[0]
        assert (hit.slug, hit.anchor) == ("trip", "票据要求")
        assert "<mark>发票</mark>" in hit.snippet
        assert ask(engine, "差旅费报销").hits[0].anchor == ""  # the article itself
    finally:
        engine.close()


def test_characters_jieba_leaves_alone_are_found_where_they_stand_together(tmp_path):
    """jieba cuts 螭头, a word it does not know, into 螭 / 头 in the query and the text alike; the
    text that has them side by side is found although it has no other word of the query."""
    from tests.conftest import engine_for, write_article

    content = tmp_path / "content"
    content.mkdir()
    write_article(content, "altar.md", "## 一、栏板\n\n每层栏杆下向外伸出一石螭头，用于坛面排水。\n",
                  title="圜丘坛", slug="altar", summary="祭天的坛。")
    write_article(content, "roles.md", "## 一、职责\n\n办公室的主要功能是参谋、协调和服务。\n",
                  title="办公室职责", slug="roles", summary="办公室做什么。")
    engine = engine_for(content, tmp_path / "index")
    engine.index()
    try:
        assert "altar" in [h.slug for h in ask(engine, "螭头的主要功能").hits]
        assert [h.slug for h in ask(engine, "螭头").hits] == ["altar"]
        # characters typed apart stay lone characters: 头 alone finds nothing beside 主要功能
        assert "altar" not in [h.slug for h in ask(engine, "螭 主要 头 功能").hits]
    finally:
        engine.close()


def test_words_said_together_rank_above_the_same_words_said_apart(tmp_path):
    """Two sections with the same words as often and as long: the one that says 报销 and 发票
    in one sentence answers 「报销 发票」 better than the one that has them paragraphs apart."""
    from tests.conftest import engine_for, write_article

    filler = "各部门应当按照年度计划安排工作，做好统筹协调，及时总结经验，不断改进方法，提升服务质量。"
    content = tmp_path / "content"
    content.mkdir()
    write_article(content, "a.md", f"## 一、说明\n\n报销工作。{filler * 3}发票管理。\n", title="甲", slug="apart")
    write_article(content, "b.md", f"## 一、说明\n\n报销发票管理。{filler * 3}工作。\n", title="乙", slug="together")
    engine = engine_for(content, tmp_path / "index")
    engine.index()
    try:
        hits = ask(engine, "报销 发票").hits
        assert [h.slug for h in hits] == ["together", "apart"]
        assert hits[0].score > hits[1].score
    finally:
        engine.close()


def test_a_lone_character_never_makes_a_hit_beside_longer_words(searcher):
    for hit in ask(searcher, "新员工", limit=50).hits:
        assert "员工" in hit.snippet


def test_a_synonym_group_expands_a_word_no_article_contains(searcher):
    """「外出」 and 「来客」 occur in no article; their synonyms 出差 and 来访 do."""
    trip = ask(searcher, "外出")
    assert trip.total and "出差" in trip.hits[0].snippet and trip.hits[0].why.startswith("同义词")
    assert ask(searcher, "来客").total


def test_traditional_and_simplified_find_each_other(tmp_path):
    """Colleagues from Hong Kong, Macao or Taiwan write in traditional characters; pages keep the
    text as written, highlights land on the right characters."""
    from tests.conftest import engine_for, write_article

    content = tmp_path / "content"
    write_article(content, "a.md", "## 一、保密原則\n\n辦公室工作人員在領導身邊工作，知密早、知密多。\n", slug="traditional",
                  title="辦公室保密原則")
    write_article(content, "b.md", "## 一、请示汇报\n\n必须积极主动地向领导请示汇报。\n", slug="simplified")
    engine = engine_for(content, tmp_path / "index")
    engine.index()
    try:
        assert ask(engine, "办公室保密原则").hits[0].title == "辦公室保密原則"
        hit = ask(engine, "工作人员 领导身边").hits[0]
        assert hit.slug == "traditional" and hit.section == "一、保密原則"
        assert "<mark>工作人員</mark>" in hit.snippet and "人员" not in hit.snippet  # as written
        assert ask(engine, "保密原則").hits[0].slug == "traditional"
        assert ask(engine, "請示匯報").hits[0].slug == "simplified"
        assert "<mark>请示汇报</mark>" in ask(engine, "請示匯報").hits[0].snippet
    finally:
        engine.close()


@pytest.mark.parametrize("typed", ["baomi", "保mi", "保秘"])
def test_pinyin_and_slips_that_find_nothing_are_answered_by_their_correction(searcher, typed):
    result = ask(searcher, typed)
    assert result.corrected_from == typed and result.query == "保密"
    assert "office-service-work#安全保密原则" in [f"{h.slug}#{h.anchor}" for h in result.hits[:3]]
    assert ask(searcher, typed, correct=False).total == 0  # the way back: exactly as typed


def test_a_slip_that_finds_less_gets_its_correction_offered(searcher):
    result = ask(searcher, "请视汇报")
    assert result.suggestion == "请示汇报" and result.corrected_from is None
    assert "office-service-work#请示汇报原则" in [f"{h.slug}#{h.anchor}" for h in result.hits[:3]]
    assert ask(searcher, "请示汇报").suggestion is None
    assert ask(searcher, "办公室 保密").suggestion is None  # words of the index are not slips


@pytest.mark.parametrize("typed, expected", [("baomi", "保密工作清单"), ("bmgz", "保密工作清单"),
                                             ("qingshi", "（一）请示汇报原则"), ("保密", "保密工作清单")])
def test_suggestions_by_words_pinyin_and_initials(searcher, typed, expected):
    assert expected in [s.label for s in searcher.suggest(typed)]


def test_pinyin_never_drowns_real_matches(searcher):
    """「主任」 must not bring every 「zhu ren」: pinyin only answers Latin letters that match nothing."""
    assert ask(searcher, "主任").corrected_from is None
    assert all("主任" in h.snippet or "主任" in h.title or h.section and "主任" in h.section
               for h in ask(searcher, "主任", limit=50).hits)


@pytest.mark.parametrize("q", ["新员工", "入职"])
def test_reading_paths_are_found_beside_the_results(searcher, q):
    result = ask(searcher, q)
    assert [(p.url, p.title) for p in result.paths] == [("/paths/newcomer", "新员工入职必读")]
    assert "/paths/newcomer" not in [h.url for h in result.hits]  # not counted among the articles


def test_an_edited_reading_path_is_searchable_at_once(tmp_path):
    from tests.conftest import CONTENT, engine_for

    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    engine = engine_for(content, tmp_path / "index")
    engine.index()
    try:
        path = content / "_paths" / "newcomer.md"
        path.write_text(path.read_text(encoding="utf-8").replace("新员工入职必读", "新同事报到必读"), encoding="utf-8")
        engine.update(["_paths/newcomer.md"])
        assert ask(engine, "报到").paths[0].url == "/paths/newcomer"
    finally:
        engine.close()


def test_suggestions_are_kept_beside_their_segment_and_read_back_alike(tmp_path):
    """A restart opens each segment's suggestion lookup from ``suggest.npz`` instead of making it
    again (16 s at 50,000 articles); what it suggests is the same, and a damaged file is made anew."""
    import shutil

    from kb.config import load_config
    from search.suggest import Lookup
    from search.writer import update_index
    from tests.conftest import engine_for

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    config = load_config(content_dir=content, index_dir=tmp_path / "index")
    update_index(config)
    typed = ["baomi", "bmgz", "qingshi", "保密", "值班", "会议"]

    def suggestions():
        engine = engine_for(content, config.index_path)
        try:
            return [[(s.label, s.url) for s in engine.suggest(t)] for t in typed]
        finally:
            engine.close()

    made = suggestions()
    kept = list(config.index_path.rglob(Lookup.FILE))
    assert kept and all(m for m in made)
    assert suggestions() == made  # read back
    kept[0].write_bytes(b"not a lookup")
    assert suggestions() == made  # made anew
    data = kept[0].read_bytes()
    assert data[:2] == b"PK"
    kept[0].write_bytes(data[: len(data) // 2])  # a file cut short
    assert suggestions() == made
