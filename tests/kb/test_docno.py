"""Document numbers (kb.docno): one number however it is typed, and what is not a number."""
import pytest

from kb import docno

SAME = ["办发〔2024〕12号", "办发[2024]12号", "办发【2024】12号", "办发（2024）12号", "办发(2024)12号",
        "办发〔２０２４〕１２号", "办发〔2024〕第12号", "办发〔2024〕12", "办发 〔2024〕 12 号", "办发［2024］012号",
        "辦發〔2024〕12號"]


@pytest.mark.parametrize("typed", SAME)
def test_every_way_of_typing_a_number_is_the_same_number(typed):
    expected = "辦發〔2024〕12号" if typed.startswith("辦") else "办发〔2024〕12号"
    assert docno.canonical(typed) == expected


def test_numbers_differ_by_agency_year_and_number():
    assert len({docno.canonical(t) for t in ["办发〔2024〕12号", "办发〔2024〕13号", "办发〔2023〕12号", "国办发〔2024〕12号"]}) == 4


def test_an_old_style_number_needs_its_hao_and_ordinary_words_are_not_numbers():
    assert docno.canonical("办字第12号") == docno.canonical("办字12号") == "办字12号"
    for text in ["会议室3", "3号会议室", "2024年工作要点", "保密", ""]:
        assert docno.canonical(text) is None, text


def test_numbers_are_found_inside_a_query_with_where_they_stand():
    [found] = docno.find("根据办发〔2024〕12号文件")
    assert found.number.canonical == "根据办发〔2024〕12号" and (found.start, found.end) == (0, 13)
    [spaced] = docno.find("保密 〔2024〕12号")
    assert spaced.spaced and spaced.number.prefix == "保密" and spaced.number.text("") == "〔2024〕12号"
