from tests.conftest import CONTENT
from search.analyzer import JiebaTokenizer, query_words


def tokens(text, mode="", dictionary=()):
    return [(t.text, t.pos) for t in JiebaTokenizer(dictionary)(text, positions=True, mode=mode)]


def test_index_mode_adds_inner_words_at_the_same_position():
    found = tokens("办公室主任", dictionary=("办公室主任",))
    assert ("办公室主任", 0) in found and ("办公室", 0) in found and ("主任", 0) in found


def test_query_mode_keeps_whole_words_only():
    assert query_words("办公室主任", ("办公室主任",)) == ["办公室主任"]


def test_positions_are_consecutive_after_stop_words_so_phrases_match():
    found = tokens("办公室的职能", mode="query")
    assert found == [("办公室", 0), ("职能", 1)]


def test_domain_dictionary_keeps_compound_terms_whole():
    assert query_words("落实八项规定", ()) == ["落实", "八项", "规定"]
    assert query_words("落实八项规定", ("八项规定",)) == ["落实", "八项规定"]


def test_english_is_lowercased_and_numbers_kept():
    words = query_words("OA系统 Login 2024年 ＡＢＣ")
    assert {"oa", "login", "2024", "abc"} <= set(words)


def test_punctuation_and_particles_are_dropped():
    assert query_words("领导出差陪同要准备什么？") == ["领导", "出差", "陪同", "准备"]


def test_character_offsets_point_into_the_original_text():
    text = "坚持做好保密工作"
    for t in JiebaTokenizer()(text, chars=True):
        assert text[t.startchar : t.endchar] == t.text


def test_jiebas_mapped_tables_segment_exactly_as_jiebas_own_dictionary(tmp_path, monkeypatch):
    """The machine's mapped tables (analyzer.Frequencies, read by analyzer.MappedTokenizer's own
    DAG and route) give the words jieba's own dictionary gives, domain words included, over the
    bundled articles: with and without the HMM, and in jieba's full mode, which reads the DAG."""
    from search import analyzer

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dictionary = analyzer.read_dictionary(CONTENT / "_dictionary.txt")
    shared = analyzer._shared_tokenizer(dictionary)  # made and kept on first use
    again = analyzer._shared_tokenizer(dictionary)  # mapped
    own = analyzer._own_tokenizer(dictionary)
    assert isinstance(again.FREQ, analyzer.Frequencies) and not isinstance(own.FREQ, analyzer.Frequencies)
    assert list(tmp_path.glob("office-kb/jieba-*/words.marisa"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CONTENT.rglob("*.md")))
    assert isinstance(again, analyzer.MappedTokenizer)
    assert list(again.tokenize(text)) == list(own.tokenize(text)) == list(shared.tokenize(text))
    assert list(again.cut(text, HMM=False)) == list(own.cut(text, HMM=False))
    assert list(again.cut(text, cut_all=True)) == list(own.cut(text, cut_all=True))
    assert again.total == own.total
    word = analyzer.dictionary_words(dictionary)[0]
    assert again.FREQ.get(word) == own.FREQ.get(word) and again.FREQ.get("不是词语的一串字") is None


def test_the_mapped_tables_tag_words_as_jiebas_part_of_speech_table(tmp_path, monkeypatch):
    """search.coverage asks a word's part of speech (only nouns name a topic the site lacks); the
    mapped tables answer as jieba.posseg's table does, for tables kept before they had tags too."""
    import jieba.posseg

    from search import analyzer

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dictionary = analyzer.read_dictionary(CONTENT / "_dictionary.txt")
    analyzer._shared_tokenizer(dictionary)
    folder = next(tmp_path.glob("office-kb/jieba-*"))
    for name in (analyzer.Frequencies.TAGS, analyzer.Frequencies.TAG_NAMES):
        (folder / name).unlink()  # as kept by an earlier version
    freq = analyzer._shared_tokenizer(dictionary).FREQ
    table = jieba.posseg.dt.word_tag_tab
    sample = list(table)[::97] + ["会议", "纪要", "印章", "管理"]
    assert [freq.tag(w) for w in sample] == [table[w] for w in sample]
    assert freq.tag("会议") == "n" and freq.tag("不是词语的一串字") is None
    for name in (analyzer.Frequencies.TAGS, analyzer.Frequencies.TAG_NAMES):
        (folder / name).unlink()
    (folder / analyzer.Frequencies.TAG_NAMES).mkdir()  # where the tags cannot be kept (root ignores modes)
    unkept = analyzer._shared_tokenizer(dictionary).FREQ
    assert [unkept.tag(w) for w in sample] == [table[w] for w in sample]
