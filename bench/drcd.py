"""DRCD retrieval benchmark: our search next to bm25s + jieba and SQLite FTS5 + jieba.

    python bench/drcd.py                           # dev (tuned) and test (held-out), 1,000 questions each
    python bench/drcd.py --traditional-questions   # also ask the questions in their Traditional characters
    python bench/drcd.py --questions 200 --splits dev --examples 10   # a quick look, with lost questions
    python bench/drcd.py --set zones.context=0     # our engine with other settings (see bench/evaluate.py)
    python bench/drcd.py --data DIR                # DRCD_dev.json / DRCD_test.json somewhere else

Needs the extra ``bench`` (``pip install -e '.[bench]'``: opencc, bm25s).

DRCD (../shared/data/drcd/README.md) is public Traditional-Chinese reading comprehension on
Wikipedia. Each split becomes a knowledge base in the product's language: OpenCC ``t2s``
converts it to Simplified, every DRCD title is one article (slug ``drcd-<DRCD id>``, type guide,
category DRCD, summary its first sentence) and every paragraph one ``## 段落 {#pN}`` section.
The heading is the same word in every section, so it carries nothing a question could match:
``第N段`` would not do, jieba cuts it into 第 / N / 段 and the number, weighted as a heading,
would pull paragraph 2 up for every question with a 2 in it. Anchors are read back through
``kb.store.load_catalog``, never re-derived. Content and index go to ``bench/out/drcd-<split>/``.

``DRCD_dev.json`` is the *tuned* split: anything ever tuned on DRCD is chosen on dev alone;
``DRCD_test.json`` is *held out*. The questions are the first ``--questions`` of each split in
file order; a question's relevant article is its title, its relevant section its paragraph.

Systems, all over the same converted text and the same question text:

- **ours**: ``search.writer.update_index(rebuild=True)``, then ``open_engine(config,
  cache_size=0).search(Query(question, limit=10))``, the question as typed.
- **bm25s+jieba** and **fts5+jieba** (bench/baselines.py): one document per paragraph, the
  article's title and the paragraph's text, in jieba's precise-mode tokens without our stop words.

How a result list is counted. Ours lists articles, each shown by its best document (a
section, or the article's own document: title and summary) and up to three other matching
sections (``more``). A baseline lists paragraphs; its articles are those of its paragraphs,
deduplicated in rank order, each shown by its best paragraph.

- article R@1: the first article is the question's; article MRR@10: 1/rank of it in the first 10.
- section R@1: the first result's best section is the question's paragraph (ours: a first result
  shown by the article's own document is a miss).
- section R@5: the paragraph is among the first five sections *shown*: ours counts, result by
  result, the best section and then its ``more`` sections; a baseline its first five paragraphs.
- JSON only: best@5, the paragraph is the best section of one of the first five results;
  article_doc@1, the first result is shown by the article's own document; no_results.
- query ms p50: median wall time of one search, segmenting the question included.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.baselines import Bm25s, Fts5, JiebaTerms, Ranking  # noqa: E402
from bench.corpus import front_matter  # noqa: E402
from bench.evaluate import parse_settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "drcd"
OUT = ROOT / "bench" / "out"
SPLITS = {"dev": ("DRCD_dev.json", "tuned"), "test": ("DRCD_test.json", "held-out")}
SYSTEMS = ("ours", "bm25s+jieba", "fts5+jieba")
K_MRR, K_SECTIONS = 10, 5
HEADING = "段落"
UPDATED = "2018-06-04"  # DRCD's publication (arXiv 1806.00920): a fixed date keeps files identical
SOURCE = "DRCD (Delta Research Center), Wikipedia, CC BY-SA 3.0"
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


# --- the knowledge base ---------------------------------------------------------------------

@dataclass
class Paragraph:
    slug: str
    text: str
    anchor: str = ""  # filled from the loaded content folder

    @property
    def key(self) -> str:
        return f"{self.slug}#{self.anchor}"


@dataclass
class KbArticle:
    slug: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Question:
    id: str
    text: str  # converted to Simplified
    original: str  # as DRCD has it (Traditional)
    paragraph: Paragraph

    @property
    def slug(self) -> str:
        return self.paragraph.slug


@dataclass
class Corpus:
    articles: list[KbArticle]
    questions: list[Question]  # every question, in file order

    def title(self, slug: str) -> str:
        return next((a.title for a in self.articles if a.slug == slug), slug)


def load_split(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def simplifier() -> Callable[[str], str]:
    """OpenCC's Traditional → Simplified converter (``t2s``; opencc 1.4.2 also accepts ``t2s.json``)."""
    import opencc

    return opencc.OpenCC("t2s").convert


def convert(squad: dict, to_simplified: Callable[[str], str]) -> Corpus:
    """A SQuAD-format dict as articles, paragraphs and questions in Simplified characters."""
    articles, questions = [], []
    for item in squad["data"]:
        article = KbArticle(slug=f"drcd-{item['id']}", title=to_simplified(item["title"]).strip())
        for p in item["paragraphs"]:
            paragraph = Paragraph(article.slug, " ".join(to_simplified(p["context"]).split()))
            article.paragraphs.append(paragraph)
            questions += [Question(q["id"], to_simplified(q["question"]).strip(), q["question"].strip(), paragraph)
                          for q in p["qas"]]
        articles.append(article)
    return Corpus(articles, questions)


def first_sentence(text: str) -> str:
    return next((s.strip() for s in _SENTENCE_END.split(text) if s.strip()), text)


def article_markdown(article: KbArticle) -> str:
    meta = {"title": article.title, "slug": article.slug, "type": "guide", "category": "DRCD", "tags": [],
            "summary": first_sentence(article.paragraphs[0].text), "source": SOURCE,
            "published": UPDATED, "updated": UPDATED, "aliases": []}
    # "<" would open an HTML tag that rendering and indexing drop; DRCD has one in 2,000 paragraphs
    body = "\n\n".join(f"## {HEADING} {{#p{n}}}\n\n{p.text.replace('<', '&lt;')}"
                       for n, p in enumerate(article.paragraphs, 1))
    return front_matter(meta) + "\n" + body + "\n"


def write_content(corpus: Corpus, folder: Path) -> None:
    """One Markdown file per article; the folder is emptied first (it is ours alone)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for article in corpus.articles:
        (folder / f"{article.slug}.md").write_text(article_markdown(article), encoding="utf-8")


def attach_anchors(corpus: Corpus, folder: Path) -> None:
    """Give every paragraph the anchor the content store gives its section."""
    from kb.store import load_catalog

    catalog = load_catalog(folder, cross_checks=False)
    errors = [str(p) for p in catalog.problems if p.severity == "error"]
    if errors:
        raise ValueError("the generated articles have errors:\n  " + "\n  ".join(errors[:10]))
    for article in corpus.articles:
        sections = [s for s in catalog.by_slug[article.slug].sections if s.anchor]
        if len(sections) != len(article.paragraphs):
            raise ValueError(f"{article.slug}: {len(sections)} sections for {len(article.paragraphs)} paragraphs")
        for paragraph, section in zip(article.paragraphs, sections):
            paragraph.anchor = section.anchor


def build_kb(squad: dict, folder: Path, to_simplified: Callable[[str], str]) -> Corpus:
    """Convert one split, write its content folder and map its paragraphs to anchors."""
    corpus = convert(squad, to_simplified)
    write_content(corpus, folder)
    attach_anchors(corpus, folder)
    return corpus


# --- systems --------------------------------------------------------------------------------

class Ours:
    name = "ours"

    def __init__(self, content: Path, index: Path, settings: dict | None = None):
        from bench.evaluate import parameters_for
        from kb.config import load_config
        from search.interface import open_engine

        config = load_config(content_dir=str(content), index_dir=str(index))
        self.engine = open_engine(config, parameters_for(settings), cache_size=0)
        self.engine.index(rebuild=True)

    def rank(self, text: str) -> Ranking:
        from search.interface import Query

        started = time.perf_counter()
        hits = self.engine.search(Query(text, limit=K_MRR)).hits
        ms = (time.perf_counter() - started) * 1000
        best = [f"{h.slug}#{h.anchor}" if h.anchor else None for h in hits]
        sections = []
        for hit, own in zip(hits, best):
            sections += ([own] if own else []) + [f"{hit.slug}#{m['anchor']}" for m in hit.more]
        return Ranking([h.slug for h in hits], best[0] if best else None, sections, best, ms)

    def close(self) -> None:
        self.engine.close()


def paragraph_documents(corpus: Corpus) -> tuple[list[str], list[str]]:
    """(keys, texts) of the baselines' documents: the article's title and one paragraph."""
    keys, texts = [], []
    for article in corpus.articles:
        for p in article.paragraphs:
            keys.append(p.key)
            texts.append(f"{article.title}\n{p.text}")
    return keys, texts


# --- measuring ------------------------------------------------------------------------------

def outcome(question: Question, r: Ranking) -> dict:
    want = question.paragraph.key
    rank = r.articles.index(question.slug) + 1 if question.slug in r.articles else None
    return {"article_rank": rank, "section@1": r.top == want, "section@5": want in r.sections[:K_SECTIONS],
            "best@5": want in r.best[:K_SECTIONS], "ms": r.ms, "top": r.best[:3]}


def metrics(outcomes: list[dict]) -> dict:
    n = len(outcomes) or 1
    return {
        "n": len(outcomes),
        "article@1": sum(o["article_rank"] == 1 for o in outcomes) / n,
        "article_mrr@10": sum(1 / o["article_rank"] for o in outcomes if o["article_rank"]) / n,
        "section@1": sum(o["section@1"] for o in outcomes) / n,
        "section@5": sum(o["section@5"] for o in outcomes) / n,
        "best@5": sum(o["best@5"] for o in outcomes) / n,
        # diagnostics: the first result shown by the article's own document; nothing found
        "article_doc@1": sum(bool(o["top"]) and o["top"][0] is None for o in outcomes) / n,
        "no_results": sum(not o["top"] for o in outcomes) / n,
        "ms_p50": statistics.median(o["ms"] for o in outcomes) if outcomes else 0.0,
    }


def ask(systems: list, questions: list[Question], traditional: bool) -> list[dict]:
    """Every question to every system: one record per question."""
    records = []
    for q in questions:
        text = q.original if traditional else q.text
        records.append({"id": q.id, "q": text, "want": q.paragraph.key,
                        **{s.name: outcome(q, s.rank(text)) for s in systems}})
    return records


def run_split(name: str, path: Path, args, settings: dict, to_simplified) -> dict:
    """Build the split's knowledge base and ask its questions of every system."""
    started = time.perf_counter()
    work = OUT / f"drcd-{name}"
    corpus = build_kb(load_split(path), work / "content", to_simplified)
    questions = corpus.questions[: args.questions]
    terms = JiebaTerms()
    with ExitStack() as stack:
        documents = paragraph_documents(corpus)
        systems = [Ours(work / "content", work / "index", settings), Bm25s(*documents, terms), Fts5(*documents, terms)]
        for system in systems:
            stack.callback(system.close)
        variants = ["simplified"] + (["traditional"] if args.traditional_questions else [])
        records = {v: ask(systems, questions, v == "traditional") for v in variants}
    rows = {v: {s: metrics([r[s] for r in recs]) for s in SYSTEMS} for v, recs in records.items()}
    return {"file": path.name, "role": SPLITS[name][1], "articles": len(corpus.articles),
            "paragraphs": sum(len(a.paragraphs) for a in corpus.articles), "questions": len(questions),
            "seconds": round(time.perf_counter() - started, 1), "rows": rows, "records": records,
            "titles": {a.slug: a.title for a in corpus.articles}}


# --- reporting ------------------------------------------------------------------------------

def markdown_table(rows: dict) -> str:
    lines = ["| system | article R@1 | article MRR@10 | section R@1 | section R@5 | query ms p50 |",
             "|---|---:|---:|---:|---:|---:|"]
    for system, m in rows.items():
        lines.append(f"| {system} | {m['article@1']:.3f} | {m['article_mrr@10']:.3f} | {m['section@1']:.3f} | "
                     f"{m['section@5']:.3f} | {m['ms_p50']:.1f} |")
    return "\n".join(lines)


def lost_examples(split: dict, variant: str, count: int) -> str:
    """Questions whose article bm25s puts first and we do not: ours, the right one, bm25s."""
    titles = split["titles"]

    def show(top: list) -> str:
        if not top:
            return "(no results)"
        key = top[0]
        return f"{titles.get(key.partition('#')[0], key)} #{key.partition('#')[2]}" if key else "(article itself)"

    lines = []
    for r in split["records"][variant]:
        ours, bm = r["ours"], r["bm25s+jieba"]
        if ours["article_rank"] != 1 and bm["article_rank"] == 1 and len(lines) < count:
            lines.append(f"- {r['q']}\n  ours: {show(ours['top'])} (right article at {ours['article_rank'] or '-'})"
                         f"  want: {show([r['want']])}  bm25s: {show(bm['top'])}")
    return "\n".join(lines)


def report(results: dict, examples: int) -> str:
    out = []
    for name, split in results.items():
        for variant, rows in split["rows"].items():
            out.append(f"### {name} ({split['role']}): {split['questions']} questions in {variant} characters, "
                       f"{split['articles']} articles, {split['paragraphs']} sections\n\n{markdown_table(rows)}\n")
            if examples:
                out.append(f"lost to bm25s (first {examples}):\n{lost_examples(split, variant, examples)}\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of DRCD_dev.json and DRCD_test.json")
    parser.add_argument("--questions", type=int, default=1000, help="first N questions of each split")
    parser.add_argument("--splits", nargs="+", choices=list(SPLITS), default=list(SPLITS))
    parser.add_argument("--traditional-questions", action="store_true",
                        help="also ask the questions in their original Traditional characters")
    parser.add_argument("--set", dest="settings", help="our engine's knobs, as in bench/evaluate.py")
    parser.add_argument("--examples", type=int, default=0, help="list N questions lost to bm25s per table")
    parser.add_argument("--json", type=Path, default=OUT / "drcd.json")
    args = parser.parse_args(argv)
    try:
        settings = parse_settings(args.settings)
    except ValueError as e:
        parser.error(str(e))
    paths = {name: args.data / SPLITS[name][0] for name in args.splits}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        print(f"DRCD data not found ({', '.join(missing)}): the DRCD benchmark is optional, skipped.")
        return 0
    started = time.perf_counter()
    to_simplified = simplifier()
    results = {name: run_split(name, path, args, settings, to_simplified) for name, path in paths.items()}
    seconds = time.perf_counter() - started
    if args.settings:
        print(f"our engine with {args.settings}\n")
    print(report(results, args.examples))
    print(f"{seconds:.0f} s in all")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"command": ["python", "bench/drcd.py", *(sys.argv[1:] if argv is None else argv)],
                                     "converter": "opencc t2s", "settings": args.settings or "", "seconds":
                                     round(seconds, 1), "splits": results}, ensure_ascii=False, indent=1),
                         encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
