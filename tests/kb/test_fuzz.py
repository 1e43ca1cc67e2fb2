"""Property-based fuzz of front matter (issue 9.2): loading never raises, a broken file is
reported as its own problem and never hides the other files."""
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.article import SEVERITIES
from kb.store import load_catalog, parse_article
from tests.conftest import write_article

FIELDS = ["title", "slug", "type", "category", "tags", "summary", "source", "source_url", "author", "published",
          "updated", "aliases"]
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Characters YAML gives meaning to, control characters, a BOM, Chinese and plain letters.
YAMLISH = st.text(
    alphabet=st.sampled_from(list(":-[]{}!&*#|>'\"?,%@`~\\/ \t\n\r") + list("aZ09._") + list("会议纪要")
                             + ["\x00", "\x01", "\x85", "\u2028", "\ufeff", "\ufffe"]),
    max_size=200,
)

SCALARS = st.one_of(
    st.text(max_size=30).map(repr),
    st.from_regex(r"\d{1,4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{1,2}(:\d{1,2})?)?", fullmatch=True),
    st.from_regex(r"\d{1,2}:\d{1,2}:\d{1,2}", fullmatch=True),
    st.integers().map(str),
    st.integers(min_value=4000, max_value=6000).map(lambda n: "9" * n),
    st.sampled_from(["", "~", "null", "true", "no", ".nan", "-.inf", "0x1F", "0o17", "1_000", "1e400",
                     "!!int 'abc'", "!!float 'x'", "!!timestamp 2024-02-30", "!!binary '%%%'",
                     "!!python/object:os.system {}", "!!python/name:os.system", "!!set {a, b}",
                     "!!omap [a: 1]", "&a x", "*a", "<<: {}", "{? [a]: b}", "[[[[[]]]]]", "|\n  多行\n  文字",
                     "会议 筹备", "通知", "guide", "清单", "[会务, 保密]", "[1, 2]", "{a: 1}", "'单引号'", "\"\\x00\""]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3).map(lambda v: "[" + ", ".join(v) + "]"),
                      max_leaves=6)
FRONT_MATTER = st.dictionaries(st.sampled_from(FIELDS + ["extra", "? [a, b]", "title "]), VALUES, max_size=8)


def document(head: str) -> bytes:
    return f"---\n{head}\n---\n\n## 一、正文\n\n正文。\n".encode("utf-8", "surrogatepass")


def assert_loads_without_raising(raw: bytes) -> None:
    root = Path("/tmp/fuzz-content")
    article, problems = parse_article(raw, root / "guides" / "fuzz.md", root)
    assert all(p.path == "guides/fuzz.md" and p.message and p.severity in SEVERITIES for p in problems)
    if article is None:
        assert any(p.severity == "error" for p in problems)
    else:
        assert isinstance(article.title, str) and isinstance(article.slug, str)


@FUZZ
@given(YAMLISH)
def test_random_yaml_ish_front_matter_never_raises(head):
    assert_loads_without_raising(document(head))


@FUZZ
@given(FRONT_MATTER)
def test_random_values_for_each_field_never_raise(fields):
    assert_loads_without_raising(document("\n".join(f"{k}: {v}" for k, v in fields.items())))


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(raw):
    assert_loads_without_raising(raw)


@settings(max_examples=40, deadline=None, database=None)
@given(FRONT_MATTER)
def test_a_broken_file_never_hides_the_others(fields):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_article(root, "guides/good.md", "## 一、正文\n\n好的文章。\n", slug="good-article")
        (root / "guides" / "aaa-fuzz.md").write_bytes(document("\n".join(f"{k}: {v}" for k, v in fields.items())))
        catalog = load_catalog(root)
        assert catalog.get("good-article") is not None or any(
            "good-article" in p.message for p in catalog.problems if p.path == "guides/good.md")
