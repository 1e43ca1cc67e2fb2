"""Property-based fuzz of the HTTP side (issue 9): any bytes in the query string of the search
API and page, any path under the site's addresses — never a 5xx, and the search API always
answers in its documented shape. KB_FUZZ_EXAMPLES sets the inputs tried (default 300)."""
import os
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.search.test_fuzz_queries import QUERIES, assert_api_shape

FUZZ = settings(max_examples=int(os.environ.get("KB_FUZZ_EXAMPLES", "300")), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PARAMS = st.sampled_from(["q", "limit", "page", "type", "tag", "category", "sort", "hl", "exact", "x", ""])
VALUES = st.one_of(QUERIES, st.integers(-10**20, 10**20).map(str), st.binary(max_size=30).map(lambda b: b.decode("latin-1")))
RAW = st.binary(max_size=120).map(lambda b: quote_from_bytes(b, safe="=&"))  # bytes a script could send


def query_string(pairs) -> str:
    return "&".join(f"{quote_from_bytes(k.encode('utf-8', 'surrogatepass'))}="
                    f"{quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}" for k, v in pairs)


@FUZZ
@given(pairs=st.lists(st.tuples(PARAMS, VALUES), max_size=6), raw=RAW)
def test_the_search_api_never_fails_and_keeps_its_shape(anonymous, pairs, raw):
    for qs in (query_string(pairs), raw):
        response = anonymous.get("/api/search?" + qs)
        assert response.status_code == 200, (qs, response.status_code)
        assert_api_shape(response.get_json())
        page = anonymous.get("/search?" + qs)
        assert page.status_code == 200 and "</html>" in page.get_data(as_text=True)


@FUZZ
@given(prefix=st.sampled_from(["/a/", "/api/articles/", "/tag/", "/category/", "/type/", "/paths/", "/api/suggest?q=",
                               "/a/office-service-work?hl=", "/a/office-service-work/history/", "/"]),
       tail=st.one_of(QUERIES, st.binary(max_size=60).map(lambda b: quote_from_bytes(b, safe="/"))))
def test_no_address_gives_a_server_error(anonymous, prefix, tail):
    path = prefix + (quote_from_bytes(tail.encode("utf-8", "surrogatepass"), safe="/") if isinstance(tail, str) else tail)
    path = "/" + path.lstrip("/")  # the test client would read a leading // as a host name
    response = anonymous.get(path)
    assert response.status_code < 500, (path, response.status_code)


PIECES = list("/\\\t\n\r\x00 .:%@?#aez09") + ["%09", "%5C", "%2F", "%0A", "%00", "%25", "//", "http:", "evil.example"]
TARGETS = st.one_of(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.text(max_size=40))


def as_a_browser_reads(location: str) -> str:
    """Browsers drop tabs and line breaks from a URL and read a backslash as a slash."""
    return location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")


@FUZZ
@given(target=TARGETS)
def test_a_redirect_target_is_a_path_of_this_site_or_nothing(target):
    """Issue 16: ``/%09/evil.example`` led to another site. Whatever is given, what comes back
    is None or a path a browser keeps on this site, also once decoded."""
    from urllib.parse import unquote, urlsplit

    from web.urls import local_path

    found = local_path(target)
    if found is None:
        return
    for value in (found, unquote(found), unquote(unquote(found))):
        read = as_a_browser_reads(value)
        assert read.startswith("/") and not read.startswith("//"), (target, value)
        assert not urlsplit(read).netloc, (target, value)


CONTROL_TEXT = st.text(alphabet=st.characters(max_codepoint=0x9f), min_size=1, max_size=20).filter(
    lambda v: any(ord(c) < 32 and c not in "\t\n\r" or 0x7f <= ord(c) <= 0x9f for c in v))
FIELD_NAMES = st.sampled_from(["message", "path", "text", "title", "name", "word", "next"])


@FUZZ
@given(bad=st.tuples(FIELD_NAMES, CONTROL_TEXT),
       others=st.dictionaries(FIELD_NAMES, st.text(alphabet=st.characters(max_codepoint=0x9f), max_size=20), max_size=3))
def test_a_form_with_control_characters_is_refused_before_anything_is_written(client, bad, others):
    """Issue 16: a NUL in a change note answered 500 after the file was written. Any field
    with a control character, among any others, posted to the import's save: 400 naming a
    field, and no file written."""
    from tests.web.conftest import token

    root = client.application.extensions["kb"].store.root
    before = sorted(root.rglob("*"))
    response = client.post("/import/save", data={"csrf": token(client, "/import"), **others, bad[0]: bad[1]})
    assert response.status_code == 400 and "里有不可见的控制字符" in response.get_data(as_text=True)
    assert sorted(root.rglob("*")) == before
