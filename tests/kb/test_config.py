"""Settings as a typed schema (kb.config): every bad value is one Chinese line naming the
setting, where it came from and what is allowed; bad files and missing folders are clear errors
with a non-zero exit, never a traceback; and the README's settings table lists every setting."""
import re
import subprocess
import sys

import pytest

from kb.config import Config, SettingError, load_config, settings_schema
from tests.conftest import CONTENT, REPO


def kb(*args, env=None, **kwargs):
    import os

    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, **kwargs)


@pytest.mark.parametrize("name, value, allowed", [
    ("port", "abc", "应为整数"),
    ("port", "70000", "应为 1–65535 之间的整数"),
    ("allow_edit", "maybe", "应为 true 或 false"),
    ("search_budget_ms", "-5", "应为 0–60000 之间的整数"),
    ("public_url", "kb.example.cn", "http:// 或 https://"),
    ("max_upload_bytes", "10", "应为不小于 1000 的整数"),
])
def test_a_bad_environment_variable_names_the_setting_the_variable_and_what_is_allowed(monkeypatch, name, value, allowed):
    monkeypatch.setenv(f"KB_{name.upper()}", value)
    with pytest.raises(SettingError) as caught:
        load_config(content_dir=CONTENT)
    message = str(caught.value)
    assert f"设置 {name} 的值 “{value}” 无效" in message and f"环境变量 KB_{name.upper()}" in message
    assert allowed in message


def test_a_bad_value_in_the_file_names_the_file(tmp_path):
    file = tmp_path / "kb.toml"
    file.write_text('port = "abc"\n', encoding="utf-8")
    with pytest.raises(SettingError, match=rf"设置 port 的值 “abc” 无效（配置文件 {re.escape(str(file))}）：应为整数"):
        load_config(file, content_dir=CONTENT)


def test_a_backend_setting_is_checked_in_its_own_section(tmp_path):
    from search.interface import open_engine

    file = tmp_path / "kb.toml"
    file.write_text("[search.whoosh]\ncache_size = -1\n", encoding="utf-8")
    config = load_config(file, content_dir=CONTENT, index_dir=tmp_path / "ix")
    with pytest.raises(SettingError, match=r"设置 search\.whoosh\.cache_size 的值 “-1” 无效（配置文件的 \[search\.whoosh\]）"):
        open_engine(config)
    file.write_text("[search.whoosh]\ncache = 1\n", encoding="utf-8")
    with pytest.raises(SettingError, match=r"\[search\.whoosh\] 里有未知的设置项：cache"):
        open_engine(load_config(file, content_dir=CONTENT, index_dir=tmp_path / "ix"))
    file.write_text('search_backend = "elastic"\n', encoding="utf-8")
    with pytest.raises(SettingError, match="search_backend 的值 “elastic” 无效"):
        open_engine(load_config(file, content_dir=CONTENT, index_dir=tmp_path / "ix"))


def test_good_values_are_read_with_their_types(tmp_path, monkeypatch):
    file = tmp_path / "kb.toml"
    file.write_text('port = 8080\nallowed_hosts = ["kb.example.cn"]\n[search.whoosh]\ncache_size = 0\n', encoding="utf-8")
    monkeypatch.setenv("KB_SECURE_COOKIES", "yes")
    monkeypatch.setenv("KB_IMAGE_HOSTS", "a.example.cn, b.example.cn")
    config = load_config(file, content_dir=CONTENT)
    assert config.port == 8080 and config.secure_cookies is True
    assert config.allowed_hosts == ("kb.example.cn",) and config.image_hosts == ("a.example.cn", "b.example.cn")
    assert config.search == {"whoosh": {"cache_size": 0}}


@pytest.mark.parametrize("text, where", [("port = \n", "第 1 行"), ('site_name = "办公室\n', "第 1 行"),
                                         ("[a\nport = 1\n", "第 1 行")])
def test_bad_toml_names_its_file_and_line_and_exits_2(tmp_path, text, where):
    file = tmp_path / "kb.toml"
    file.write_text(text, encoding="utf-8")
    run = kb("--config", str(file), "check", str(CONTENT))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"配置文件 {file} 格式错误：{where}" in run.stderr


def test_a_missing_config_file_is_a_clear_error(tmp_path):
    run = kb("--config", str(tmp_path / "nowhere.toml"), "search", "保密")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "找不到配置文件" in run.stderr and "nowhere.toml" in run.stderr


@pytest.mark.parametrize("command", [["search", "保密"], ["index"], ["serve"], ["new", "标题", "--slug", "a-title"],
                                     ["import", "x.md"], ["user", "list"], ["check"]])
def test_every_command_says_when_the_content_folder_is_missing(tmp_path, command):
    run = kb(*command, "--content", str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix"))
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "内容目录" in lines[0] and "不存在" in lines[0] and "nowhere" in lines[0]


def test_every_setting_is_in_the_readme_table():
    """The README's 「设置」 table: one row per setting (a backend's in its own section)."""
    from search.interface import BACKENDS, _backend_class

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([a-z_.]+)` \|", readme, re.M))
    names = {name for name, *_ in settings_schema(Config)}
    for backend in BACKENDS:
        _, engine_class = _backend_class(backend)
        names |= {f"search.{backend}.{name}" for name, *_ in settings_schema(engine_class.Settings)}
    assert names - rows == set(), "settings missing from the README's table"
    assert rows - names == set(), "rows of the README's table that are no settings"
