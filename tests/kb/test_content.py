"""The bundled articles: every seed document's guidelines present in full, no scraping noise."""
import re
from pathlib import Path

import pytest

from kb.store import load_catalog
from tests.conftest import CONTENT, REPO

SEEDS = REPO.parent / "shared" / "seeds"
NOISE = ["展开阅读全文", "第1页", "共15页", "PDF转换", "点击查看更多", "资源描述", "[bookmark", "上传人", "文档编号",
         "金锄头", "100Test", "原始地址", "请关注点赞"]
NOISE_LINE = re.compile(r"^\s*(?:返回|下载|相关|举报|分享|收藏|赞|踩|\d+\s*/\s*\d+)(?:\s+(?:返回|下载|相关|举报|分享|收藏))*\s*$", re.M)


def _norm(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CONTENT)


@pytest.fixture(scope="module")
def published_grams(catalog):
    text = _norm("".join(a.title + a.body for a in catalog.articles))
    return {text[i : i + 6] for i in range(len(text) - 5)}


def _present(sentence: str, grams: set[str]) -> bool:
    """Present when nearly all its 6-character runs are published: a corrected OCR error or
    a repaired line break changes a few runs, a dropped sentence loses them all."""
    runs = [sentence[i : i + 6] for i in range(len(sentence) - 5)]
    return sum(r in grams for r in runs) >= 0.75 * len(runs)


def _sentences(seed: Path) -> list[str]:
    text = seed.read_text(encoding="utf-8")
    parts = re.split(r"[。！？!?；;\n]", text)
    noise = re.compile(r"PDF转换|https?|www|下载|100test|展开阅读全文", re.I)
    return [_norm(p) for p in parts if len(_norm(p)) >= 12 and not noise.search(p)]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside this checkout")
@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_every_seed_document_is_published_in_full(prefix, published_grams):
    (seed,) = SEEDS.glob(f"{prefix}_*.txt")
    sentences = _sentences(seed)
    missing = [s for s in sentences if not _present(s, published_grams)]
    # What may be missing: a site's notice, a URL, a greeting of the answerer; nothing more.
    assert len(missing) <= max(3, len(sentences) // 25), missing[:10]


def test_the_pdf_copy_of_the_service_article_is_not_published_twice(catalog):
    titles = [a.title for a in catalog.articles]
    assert titles.count("怎样搞好办公室服务工作") == 1
    assert not any("就就是" in a.body for a in catalog.articles)


def test_no_scraping_noise_in_articles(catalog):
    for article in catalog.articles:
        for word in NOISE:
            assert word not in article.body, (article.rel_path, word)
        assert not NOISE_LINE.search(article.body), (article.rel_path, NOISE_LINE.search(article.body))


def test_every_article_has_source_and_dates(catalog):
    for article in catalog.articles:
        assert article.source, article.rel_path
        assert article.updated, article.rel_path


def test_at_least_five_checklists_whose_items_link_to_guideline_sections(catalog):
    checklists = [a for a in catalog.articles if a.type == "checklist"]
    assert len(checklists) >= 5
    for checklist in checklists:
        items = re.findall(r"^\s*- \[ \] .*$", checklist.body, flags=re.M)
        assert len(items) >= 5, checklist.slug
        unlinked = [i for i in items if not re.search(r"\]\([a-z0-9-]+(?:#[^)]+)?\)", i)]
        assert not unlinked, (checklist.slug, unlinked)
