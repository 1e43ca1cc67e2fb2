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
    response = anonymous.get(path)
    assert response.status_code < 500, (path, response.status_code)
