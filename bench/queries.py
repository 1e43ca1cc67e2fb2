"""Distinct, realistic search queries made from a corpus, for measuring what staff meet.

A result cache answers a repeated query in a millisecond, so a benchmark that repeats its
queries measures the cache. ``QueryPool`` hands out queries that no earlier call handed out —
distinct in what the engine has to compute (the same words in another order, or with other
stop words, count as the same query) — deterministically for a seed and a corpus.

Material comes from a sample of the corpus's own articles: headings and body sentences, cut
into words with ``search.analyzer.query_words`` (what the index sees). Kinds of query:

    hand      the 34 hand-written queries of the earlier benchmark (keywords, questions, phrases,
              filters, exclusions, English and numbers), each once, first
    word      one word of a heading or a sentence
    words     2-4 words of one heading or sentence, in their order
    question  a natural question around a stretch of a heading or sentence (怎样… / …要注意什么)
    phrase    a quoted stretch of 2-3 words copied from a sentence
    filter    type:/tag:/category: (also 类型：/标签：/分类：) with or without words
    exclude   words and -word
    english   numbers and Latin words found in the text, alone or with a word
    heavy     long questions made only of the most common words: the most expensive queries
    cheap     one or two rare words: the cheapest
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kb.render import plain_text
from kb.store import content_files, load_article
from search.analyzer import query_words, read_dictionary
from search.parse import parse_query

import corpus as corpus_mod  # bench/corpus.py: sentences and heading ordinals as it generates them

HAND_WRITTEN = [
    "保密", "请示汇报", "领导出差陪同要准备什么", "会议筹备", '"办公室主任"', "type:清单 会议", "-值班 会议",
    "办公室的职能", "怎样当好参谋助手", "公文处理", "来访接待", "督查督办 抓落实", "服务意识", "安全保密原则",
    "综合协调能力", "值班", "廉洁自律", '"三服务"', "信息调研", "车辆管理 后勤服务", "办文 办会 办事",
    "领导讲话稿怎么写", "type:指南 协调", "tag:保密", "category:办公室主任 学习", "办公室 OR 秘书",
    '"请示汇报原则" -会议', "十种意识", "执行力", "2021", "office", "PDF 文档", "100test", "5G",
]
# Share of each kind among generated queries (heavy and cheap are asked for by name).
MIX = {"word": 18, "words": 22, "question": 18, "phrase": 10, "filter": 14, "exclude": 10, "english": 3}
QUESTIONS = [
    "怎样{}", "如何{}", "{}要注意什么", "{}怎么办", "{}有哪些要求", "什么是{}", "{}的步骤是什么",
    "{}需要准备什么", "为什么要{}", "怎么做好{}", "{}的原则是什么", "{}应该怎么做", "{}有什么规定",
    "{}出了问题怎么处理", "新人如何{}", "{}的注意事项",
]
TYPE_VALUES = ["清单", "指南", "流程", "制度", "原则", "checklist", "guide", "procedure", "rule", "principle"]
FILTER_NAMES = {"type": ["type:", "类型："], "tag": ["tag:", "标签："], "category": ["category:", "分类："]}
LATIN = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{2,}|\d{2,}[A-Za-z]*)(?![A-Za-z0-9])")
PUNCTUATION = re.compile(r"[，。；：、！？“”\"（）()《》]")
COMMON = 60  # the most widespread words, of which heavy queries are made
SAMPLE = 400  # articles the material is taken from


@dataclass
class Material:
    """Words and text of a corpus sample, and what a query generator needs to know of them."""

    headings: list[tuple[str, list[str]]] = field(default_factory=list)  # (text, its words)
    sentences: list[tuple[str, list[str]]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    latin: list[str] = field(default_factory=list)
    common: list[str] = field(default_factory=list)  # by articles containing them, most first
    rare: list[str] = field(default_factory=list)  # in at most 1 % of the sampled articles
    articles: int = 0


def sample_paths(root: Path, k: int = SAMPLE) -> list[Path]:
    """``k`` files spread evenly over the sorted corpus (the same for the same corpus)."""
    files = content_files(root)
    step = max(1, len(files) / k)
    return [files[int(i * step)] for i in range(min(k, len(files)))]


def learn(root: Path, k: int = SAMPLE) -> Material:
    """Read a sample of the corpus ``root``."""
    dictionary = read_dictionary(root / "_dictionary.txt")
    segmented: dict[str, list[str]] = {}  # generated corpora repeat their sentences: cut each once

    def words_of(text: str) -> list[str]:
        if text not in segmented:
            segmented[text] = [w for w in query_words(text, dictionary) if len(w) > 1]
        return segmented[text]

    m = Material()
    spread: Counter = Counter()
    tags, categories, latin = Counter(), Counter(), Counter()
    for path in sample_paths(root, k):
        article, _ = load_article(path, root)
        if article is None:
            continue
        m.articles += 1
        seen: set[str] = set()
        tags.update(article.tags)
        categories[article.category] += 1
        texts = [article.title] + [corpus_mod.split_ordinal(s.heading)[1] for s in article.sections if s.heading]
        for text in texts:
            words = words_of(text)
            if words:
                m.headings.append((text, words))
                seen.update(words)
        for section in article.sections:
            text = plain_text(section.text)
            latin.update(LATIN.findall(text))
            for sentence in corpus_mod.sentences_of(text):
                words = words_of(sentence)
                if len(words) >= 2:
                    m.sentences.append((sentence, words))
                    seen.update(words)
        spread.update(seen)
    m.tags, m.categories = sorted(tags), sorted(categories)
    m.latin = [w for w, n in latin.most_common(200) if n >= 2]
    m.common = [w for w, _ in spread.most_common(COMMON)]
    m.rare = sorted(w for w, n in spread.items() if n <= max(1, m.articles // 100) and not w.isascii())
    return m


class QueryPool:
    """Hands out queries never handed out before by this pool (see the module docstring)."""

    def __init__(self, material: Material, seed: int, dictionary: tuple[str, ...] = ()):
        self.m = material
        self.rng = random.Random(seed)
        self.dictionary = dictionary
        self._seen: set = set()
        self._hand = list(HAND_WRITTEN)
        self._rare = list(material.rare)
        self.rng.shuffle(self._rare)
        self.given = 0

    # --- distinctness ---------------------------------------------------------------------

    def _key(self, text: str):
        """What the engine computes for ``text``: its words, phrases, exclusions and filters."""
        p = parse_query(text)
        words = frozenset(w for chunk in p.words for w in query_words(chunk, self.dictionary))
        return (words, frozenset(p.phrases), frozenset(p.excludes),
                frozenset((k, v) for k, vs in p.filters.items() for v in vs))

    def _fresh(self, text: str) -> bool:
        key = self._key(text)
        if not text.strip() or key in self._seen:
            return False
        self._seen.add(key)
        return True

    def take(self, n: int, kinds: dict[str, int] | None = None) -> list[tuple[str, str]]:
        """``n`` new (kind, query); fewer only if the material runs dry. The hand-written queries
        come first when ``kinds`` is None (the default mix)."""
        out: list[tuple[str, str]] = []
        while self._hand and kinds is None and len(out) < n:
            text = self._hand.pop(0)
            if self._fresh(text):
                out.append(("hand", text))
        mix = kinds or MIX
        names, weights = list(mix), list(mix.values())
        misses = 0
        while len(out) < n and misses < 200 + 50 * n:
            kind = self.rng.choices(names, weights)[0]
            text = getattr(self, f"_{kind}")()
            if text and self._fresh(text):
                out.append((kind, text))
            else:
                misses += 1
        self.given += len(out)
        return out

    # --- material ---------------------------------------------------------------------------

    def _line(self, headings: float = 0.3) -> tuple[str, list[str]]:
        pool = self.m.headings if self.m.headings and self.rng.random() < headings else self.m.sentences
        return self.rng.choice(pool)

    def _stretch(self, text: str, words: list[str], n: int) -> str:
        """The text from one word to the n-th after it, as written (punctuation included)."""
        i = self.rng.randrange(max(1, len(words) - n + 1))
        start = text.find(words[i])
        end_word = words[min(len(words) - 1, i + n - 1)]
        end = text.find(end_word, start + len(words[i]) - 1 if n > 1 else start)
        if start < 0 or end < 0:
            return words[i]
        return text[start : end + len(end_word)].strip("，、；：。 ")

    # --- kinds ------------------------------------------------------------------------------

    def _word(self) -> str:
        return self.rng.choice(self._line()[1])

    def _words(self) -> str:
        words = list(dict.fromkeys(self._line()[1]))
        if len(words) < 2:
            return ""
        picked = sorted(self.rng.sample(range(len(words)), min(len(words), self.rng.randint(2, 4))))
        return " ".join(words[i] for i in picked)

    def _question(self) -> str:
        text, words = self._line(0.5)
        topic = self._stretch(text, words, self.rng.randint(1, 3))
        if not 2 <= len(topic) <= 16 or PUNCTUATION.search(topic):
            return ""
        return self.rng.choice(QUESTIONS).format(topic)

    def _phrase(self) -> str:
        text, words = self.rng.choice(self.m.sentences)
        stretch = self._stretch(text, words, self.rng.randint(2, 3))
        if not 3 <= len(stretch) <= 12 or PUNCTUATION.search(stretch):
            return ""
        return f'"{stretch}"' if self.rng.random() < 0.6 else f"“{stretch}”"

    def _filter(self) -> str:
        name = self.rng.choice(["type", "type", "tag", "tag", "category"])
        values = {"type": TYPE_VALUES, "tag": self.m.tags, "category": self.m.categories}[name]
        if not values:
            return ""
        value = self.rng.choice(values)
        value = f'"{value}"' if " " in value else value
        prefix = self.rng.choice(FILTER_NAMES[name])
        if self.rng.random() < 0.15:
            return f"{prefix}{value}"
        words = self._words() if self.rng.random() < 0.4 else self._word()
        text = f"{prefix}{value} {words}" if self.rng.random() < 0.5 else f"{words} {prefix}{value}"
        return text.strip()

    def _exclude(self) -> str:
        text, words = self._line()
        words = list(dict.fromkeys(words))
        if len(words) < 2:
            return ""
        picked = self.rng.sample(words, min(len(words), self.rng.randint(2, 3)))
        out = self.rng.choice(self.m.common) if self.rng.random() < 0.3 else picked.pop()
        if out in picked:
            return ""
        return " ".join(picked) + f" -{out}"

    def _english(self) -> str:
        if not self.m.latin:
            return ""
        token = self.rng.choice(self.m.latin)
        return token if self.rng.random() < 0.3 else f"{token} {self._word()}"

    def _heavy(self) -> str:
        """A long question of the most widespread words (about 8-14 of them)."""
        common = self.m.common
        if len(common) < 8:
            return ""
        words = self.rng.sample(common, self.rng.randint(8, min(14, len(common))))
        cut = len(words) // 2
        return f"在{''.join(words[:cut])}中应该怎样{''.join(words[cut:])}才能做好"

    def _cheap(self) -> str:
        """Each rare word once, then pairs of rare words."""
        if self._rare:
            return self._rare.pop()
        return " ".join(self.rng.sample(self.m.rare, 2)) if len(self.m.rare) > 1 else ""


def mix(queries: list[tuple[str, str]]) -> dict[str, int]:
    """How many queries of each kind."""
    return dict(Counter(kind for kind, _ in queries).most_common())
