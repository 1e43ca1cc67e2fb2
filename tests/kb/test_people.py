"""Groups, memberships and addresses (kb.people) in a real SQLite database."""
import pytest

from kb.database import open_database
from kb.people import DIRECTORY, LOCAL, People, split_names
from kb.users import AccountError


@pytest.fixture
def people(tmp_path):
    p = People(open_database(f"sqlite:///{tmp_path / 'kb.sqlite3'}"))
    yield p
    p.engine.dispose()


def test_a_directory_login_replaces_only_the_directory_groups(people):
    people.set_groups("张三", ["财务处", "保密委员会"])
    people.set_groups("张三", ["财务处", "新员工"], DIRECTORY)
    assert people.groups_of("张三") == {"财务处", "保密委员会", "新员工"}
    people.set_groups("张三", ["审计处"], DIRECTORY)
    assert people.groups_of("张三") == {"财务处", "保密委员会", "审计处"}
    assert people.memberships()["张三"] == {"财务处": LOCAL, "保密委员会": LOCAL, "审计处": DIRECTORY}
    assert {g.name: g.members for g in people.groups()} == {"财务处": 1, "保密委员会": 1, "新员工": 0, "审计处": 1}


@pytest.mark.parametrize("bad", ["全体", "", "财务处,审计处", "财务/审计", "a" * 65, "财\x00务"])
def test_group_names_that_cannot_be_one_group(people, bad):
    with pytest.raises(AccountError):
        people.add_group(bad)


def test_joining_leaving_and_forgetting(people):
    people.join("财务处", ["甲", "乙", "甲"])
    assert people.members("财务处") == ["乙", "甲"]
    people.leave("财务处", ["乙"])
    people.set_email("甲", "jia@example.cn")
    people.forget("甲")
    assert people.members("财务处") == [] and people.email_of("甲") == ""
    with pytest.raises(AccountError, match="邮件地址"):
        people.set_email("乙", "not-an-address")
    people.remove_group("财务处")
    assert people.groups() == []


def test_names_typed_in_one_box():
    assert split_names("财务处、新员工，审计处, 办公室  保密委员会") == ["财务处", "新员工", "审计处", "办公室", "保密委员会"]
