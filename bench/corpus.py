"""Scaled benchmark corpora: N valid articles of real Chinese text, recombined from content/.

    python bench/corpus.py --count 10000 --out bench/out/corpus-10000 [--seed 20240626]
                           [--content content] [--seeds ../shared/seeds] [--force]

Every generated article takes the *outline* of one real article (its lead, its ## / ### / ####
headings with their numbering style, the kinds and lengths of its blocks) and fills it with
text recombined from all real articles: whole paragraphs, paragraphs stitched from real
sentences, bullet lists made of real list items, and — for checklists — task items that link to
sections of other generated articles (so ``kb check`` link resolution has real work to do).
Headings keep the source's outline numbers (一、 （一） 1、 观点一：…), renumbered in order.
Lengths are jittered per article, so sizes spread like the real ones.

The front matter has exactly the fields title, slug, type, category, tags, summary, source,
published, updated, aliases; slugs are ASCII and unique. Files go into subfolders of at most
1,000 files (000/, 001/, …). The domain dictionary ``_dictionary.txt`` is copied along, and
``_corpus.json`` records what was generated from what, so a corpus is reused only when seed,
size, generator and sources are unchanged.

The vocabulary is that of the bundled articles plus place, organisation and person names, so
posting lists are denser than in a real corpus of the same size: a pessimistic case for queries.
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import json
import math
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kb.sections import split_sections  # noqa: E402
from kb.store import load_catalog  # noqa: E402

GENERATOR_VERSION = "1"
DEFAULT_SEED = 20240626
FILES_PER_FOLDER = 1000
MANIFEST = "_corpus.json"

# --- outline numbers ------------------------------------------------------------------------

_CN = "一二三四五六七八九十"
_STYLES = [  # (name, pattern of the ordinal at the start of a heading)
    ("cn", re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*")),
    ("cnp", re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]\s*")),
    ("ar", re.compile(r"^\d+\s*、\s*")),
    ("ard", re.compile(r"^\d+\s*[.．]\s*")),
    ("arp", re.compile(r"^[（(]\s*\d+\s*[)）]\s*")),
    ("view", re.compile(r"^观点[一二三四五六七八九十]+\s*[：:]\s*")),
]


def cn_number(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    if n < 20:
        return "十" + (_CN[n - 11] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return _CN[tens - 1] + "十" + (_CN[ones - 1] if ones else "")


def split_ordinal(heading: str) -> tuple[str, str]:
    """(style, text without the ordinal) of a heading."""
    for name, pattern in _STYLES:
        m = pattern.match(heading)
        if m and heading[m.end():].strip():
            return name, heading[m.end():].strip()
    return "none", heading.strip()


def ordinal(style: str, n: int) -> str:
    return {
        "cn": f"{cn_number(n)}、",
        "cnp": f"（{cn_number(n)}）",
        "ar": f"{n}、",
        "ard": f"{n}. ",
        "arp": f"（{n}）",
        "view": f"观点{cn_number(n)}：",
    }.get(style, "")


# --- blocks of Markdown ---------------------------------------------------------------------

_LINK = re.compile(r"(?<!!)\[([^\[\]]*)\]\([^)]*\)")
_LINK_SUFFIX = re.compile(r"[（(]\s*\[[^\]]*\]\([^)]*\)\s*[)）]\s*$")
_TASK = re.compile(r"^\s*[-*]\s+\[[ xX]\]\s+")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』）)]*")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def unlink(text: str) -> str:
    return _LINK.sub(lambda m: m.group(1), text)


@dataclass
class Block:
    kind: str  # prose, list, task, admonition, table, other
    text: str

    @property
    def items(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]


def blocks_of(markdown: str) -> list[Block]:
    """Split a section's Markdown into blocks at blank lines (indented continuation kept)."""
    raw: list[str] = []
    for chunk in re.split(r"\n[ \t]*\n", markdown.strip()):
        if not chunk.strip():
            continue
        if raw and chunk.startswith("    ") and raw[-1].lstrip().startswith("!!!"):
            raw[-1] += "\n\n" + chunk  # the body of an admonition
        else:
            raw.append(chunk)
    blocks = []
    for chunk in raw:
        lines = chunk.split("\n")
        if chunk.lstrip().startswith("!!!"):
            kind = "admonition"
        elif all(_TASK.match(line) for line in lines):
            kind = "task"
        elif all(_BULLET.match(line) or line.startswith("  ") for line in lines):
            kind = "list"
        elif chunk.startswith("|"):
            kind = "table"
        elif chunk.lstrip().startswith(("```", "~~~", "<")):
            kind = "other"
        else:
            kind = "prose"
        blocks.append(Block(kind, chunk))
    return blocks


def sentences_of(text: str) -> list[str]:
    text = re.sub(r"\s+|\*\*|__|==|~~", "", unlink(text))
    found = [s for s in _SENTENCE.findall(text) if len(_CJK.findall(s)) >= 6]
    return found


# --- what is learnt from the real articles -----------------------------------------------------


@dataclass
class Outline:
    """The shape of one real article."""

    slug: str
    title: str
    type: str
    category: str
    tags: list[str]
    source: str
    lead: list[Block]
    sections: list[tuple[int, str, list[Block]]]  # (level, numbering style, blocks)
    headings: list[str] = field(default_factory=list)  # headings without ordinals


@dataclass
class Pools:
    outlines: list[Outline] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    list_items: list[str] = field(default_factory=list)
    task_items: list[str] = field(default_factory=list)
    admonitions: list[str] = field(default_factory=list)
    headings: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    headings_any: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    digest: str = ""


def _add_unique(pool: list[str], value: str, seen: set[str]) -> None:
    if value and value not in seen:
        seen.add(value)
        pool.append(value)


def learn(content: Path, seeds: Path | None = None) -> Pools:
    catalog = load_catalog(content, cross_checks=False)
    if not catalog.articles:
        raise SystemExit(f"{content} 里没有可用的文章")
    pools = Pools()
    seen: dict[str, set[str]] = {}
    digest = hashlib.sha1(GENERATOR_VERSION.encode())

    def add(name: str, value: str) -> None:
        _add_unique(getattr(pools, name), value, seen.setdefault(name, set()))

    for article in sorted(catalog.articles, key=lambda a: a.rel_path):
        digest.update(f"{article.rel_path}\0{article.digest}\n".encode())
        lead: list[Block] = []
        sections: list[tuple[int, str, list[Block]]] = []
        headings = []
        for s in article.sections:
            blocks = blocks_of(s.text)
            if not s.anchor:
                lead = blocks
            else:
                style, text = split_ordinal(s.heading)
                sections.append((s.level, style, blocks))
                headings.append(text)
                key = (s.level, style)
                pools.headings.setdefault(key, [])
                _add_unique(pools.headings[key], text, seen.setdefault(f"h{key}", set()))
                add("headings_any", text)
            for b in blocks:
                if b.kind == "prose":
                    text = unlink(b.text)
                    if len(_CJK.findall(text)) >= 10:
                        add("paragraphs", text)
                    for sent in sentences_of(text):
                        add("sentences", sent)
                elif b.kind == "list":
                    for item in b.items:
                        item = _BULLET.sub("", unlink(item)).strip()
                        if _CJK.search(item):
                            add("list_items", item)
                        for sent in sentences_of(item):
                            add("sentences", sent)
                elif b.kind == "task":
                    for item in b.items:
                        item = _LINK_SUFFIX.sub("", _TASK.sub("", item)).strip()
                        add("task_items", unlink(item))
                elif b.kind == "admonition":
                    add("admonitions", unlink(b.text))
        pools.outlines.append(Outline(article.slug, article.title, article.type, article.category,
                                      list(article.tags), article.source, lead, sections, headings))
        for tag in article.tags:
            add("tags", tag)
        add("categories", article.category)
        add("sources", article.source)
        if article.type != "checklist":
            add("titles", article.title)
    if seeds and Path(seeds).is_dir():
        for path in sorted(Path(seeds).glob("*.txt")):
            raw = path.read_bytes()
            digest.update(f"seed:{path.name}\0{hashlib.sha1(raw).hexdigest()}\n".encode())
            for line in raw.decode("utf-8", "replace").splitlines():
                line = line.strip()
                # keep whole prose lines; drop page furniture of PDF / web copies
                if len(_CJK.findall(line)) >= 30 and not re.search(r"第\d+页|下载|举报|bookmark|http", line):
                    add("paragraphs", line)
                    for sent in sentences_of(line):
                        add("sentences", sent)
    for extra in EXTRA_CATEGORIES:
        add("categories", extra)
    for extra in EXTRA_SOURCES:
        add("sources", extra)
    pools.digest = digest.hexdigest()
    return pools


# Names that vary the vocabulary the way a real collection from many offices would.
PLACES = ("北京", "上海", "天津", "重庆", "石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "南京", "杭州",
          "合肥", "福州", "南昌", "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口", "成都", "贵阳", "昆明",
          "拉萨", "西安", "兰州", "西宁", "银川", "乌鲁木齐", "苏州", "无锡", "宁波", "温州", "厦门", "青岛",
          "烟台", "洛阳", "襄阳", "宜昌", "岳阳", "株洲", "佛山", "东莞", "珠海", "汕头", "柳州", "桂林", "百色",
          "绵阳", "遵义", "曲靖", "宝鸡", "天水", "大理", "丽江", "延安", "赣州", "九江")
ORGS = ("人民政府办公室", "发展和改革委员会", "教育局", "财政局", "人力资源和社会保障局", "自然资源局",
        "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局",
        "卫生健康委员会", "应急管理局", "市场监督管理局", "统计局", "医疗保障局", "税务局", "供电公司",
        "城市投资发展集团有限公司", "人民医院", "第一中学", "职业技术学院", "工业园区管委会", "档案馆")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌宇浩凯鹏晨旭东亮"
EXTRA_CATEGORIES = ("公文处理", "会务管理", "保密工作", "接待工作", "督查督办", "信息调研", "后勤保障", "档案管理")
EXTRA_SOURCES = ("本单位办公室", "内部培训材料", "《秘书工作》", "《办公室业务》", "机关工作交流材料")
TITLE_SUFFIXES = ("", "", "", "的几点体会", "工作要点", "操作指引", "实施办法", "工作规范", "的做法与思考", "问答")
TITLE_PREFIXES = ("", "", "", "浅谈", "关于", "谈谈", "试论", "如何做好")
CHECKLIST_TITLES = ("{}清单", "{}工作清单", "{}检查清单", "{}事项清单")
NON_CHECKLIST_TYPES = ("guide", "principle", "rule", "procedure")


# --- writing ----------------------------------------------------------------------------------

_PLAIN_UNSAFE = re.compile(r"""[:#'"{}\[\],&*!|>%@`\\\n\t]|^[-?\s]|\s$""")


def yaml_scalar(value: str) -> str:
    """A string as a YAML plain scalar when that is safe, else double-quoted (JSON is YAML)."""
    if not value or _PLAIN_UNSAFE.search(value) or value.lower() in ("yes", "no", "true", "false", "null", "on", "off", "~"):
        return json.dumps(value, ensure_ascii=False)
    return value


def front_matter(meta: dict) -> str:
    lines = ["---"]
    for key in ("title", "slug", "type", "category", "tags", "summary", "source", "published", "updated", "aliases"):
        value = meta[key]
        if isinstance(value, list):
            text = "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = yaml_scalar(str(value))
        lines.append(f"{key}: {text}")
    lines.append("---")
    return "\n".join(lines) + "\n"


class Generator:
    def __init__(self, pools: Pools, seed: int):
        self.p = pools
        self.rng = random.Random(seed)
        self.guides = [o for o in pools.outlines if o.type != "checklist" and o.sections]
        self.checklists = [o for o in pools.outlines if o.type == "checklist"]
        self.linkable: list[tuple[str, str, str]] = []  # (slug, anchor, heading) of generated articles
        self.paragraphs_by_length = sorted(pools.paragraphs, key=len)
        self.paragraph_lengths = [len(p) for p in self.paragraphs_by_length]

    # text
    def prose(self, length: int) -> str:
        """A real paragraph of about ``length`` characters, or one stitched from real sentences."""
        r = self.rng
        if r.random() < 0.5 and self.paragraph_lengths:
            lo = bisect.bisect_left(self.paragraph_lengths, length // 2)
            hi = bisect.bisect_right(self.paragraph_lengths, length * 2)
            if hi > lo:
                return self.paragraphs_by_length[r.randrange(lo, hi)]
        out, n = [], 0
        while not out or n + 20 < length:
            s = r.choice(self.p.sentences)
            out.append(s)
            n += len(s)
            if len(out) > 60:
                break
        if r.random() < 0.08:  # a named office, as real experience reports have
            out.insert(r.randrange(len(out) + 1), f"{self.org()}在这方面的做法是：")
        return "".join(out)

    def org(self) -> str:
        return self.rng.choice(PLACES) + "市" + self.rng.choice(ORGS)

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def block(self, template: Block, scale: float) -> str:
        r = self.rng
        if template.kind == "list":
            n = max(1, round(len(template.items) * scale))
            numbered = template.items[0].lstrip()[:1].isdigit()
            items = [r.choice(self.p.list_items or self.p.sentences) for _ in range(n)]
            return "\n".join(f"{k + 1}. {it}" if numbered else f"- {it}" for k, it in enumerate(items))
        if template.kind == "task":
            n = max(1, round(len(template.items) * scale))
            lines = []
            for _ in range(n):
                item = r.choice(self.p.task_items or self.p.sentences)
                if self.linkable:
                    slug, anchor, heading = r.choice(self.linkable)
                    item += f"（[{heading}]({slug}#{anchor})）"
                lines.append(f"- [ ] {item}")
            return "\n".join(lines)
        if template.kind == "admonition" and self.p.admonitions:
            return r.choice(self.p.admonitions)
        if template.kind in ("table", "other"):
            return template.text
        return self.prose(max(20, int(len(template.text) * scale)))

    def heading(self, level: int, style: str, used: set[str]) -> str:
        pool = self.p.headings.get((level, style)) or self.p.headings_any
        for _ in range(8):
            text = self.rng.choice(pool)
            if text not in used:
                break
        used.add(text)
        return text

    # articles
    def article(self, i: int, outline: Outline) -> tuple[str, dict, str]:
        r = self.rng
        scale = min(3.0, max(0.3, math.exp(r.gauss(-0.05, 0.3))))
        sections = list(outline.sections)
        if len(sections) > 2 and r.random() < 0.25:  # drop a leaf section
            k = r.randrange(1, len(sections))
            if k + 1 >= len(sections) or sections[k + 1][0] <= sections[k][0]:
                del sections[k]
        if outline.type != "checklist" and r.random() < 0.25:  # one more top-level section
            top = min(level for level, _, _ in sections) if sections else 2
            style = next((s for level, s, _ in sections if level == top), "cn")
            sections.append((top, style, [Block("prose", "x" * r.randint(80, 400)) for _ in range(r.randint(1, 3))]))

        parts: list[str] = []
        if outline.lead:
            lead = [self.block(b, scale) for b in outline.lead]
            if r.random() < 0.3:
                lead.insert(0 if r.random() < 0.5 else len(lead),
                            f"作者：{self.person()}（{self.org()}，{r.randint(2012, 2025)}年{r.randint(1, 12)}月）")
            parts += lead
        counters: dict[int, int] = {}
        used: set[str] = set()
        first_heading = ""
        for level, style, blocks in sections:
            counters[level] = counters.get(level, 0) + 1
            for deeper in [lv for lv in counters if lv > level]:
                del counters[deeper]
            text = self.heading(level, style, used)
            first_heading = first_heading or text
            parts.append(f"{'#' * level} {ordinal(style, counters[level])}{text}")
            parts += [self.block(b, scale) for b in blocks]
        body = "\n\n".join(parts).strip() + "\n"

        if outline.type == "checklist":
            kind = "checklist"
            topic = r.choice(self.p.headings_any)[:16]
            title = r.choice(CHECKLIST_TITLES).format(topic)
        else:
            kind = outline.type if r.random() < 0.7 else r.choice(NON_CHECKLIST_TYPES)
            roll = r.random()
            if roll < 0.3:
                title = r.choice(self.p.titles)
            elif roll < 0.8:
                title = r.choice(TITLE_PREFIXES) + (first_heading or r.choice(self.p.headings_any)) + r.choice(TITLE_SUFFIXES)
            else:
                title = f"{r.choice(PLACES)}市{r.choice(ORGS)}{r.choice(self.p.headings_any)}"
        title = title[:60]
        summary = ""
        while len(summary) < 30:
            summary += r.choice(self.p.sentences)
        summary = summary[:150]
        published = dt.date(2012, 1, 1) + dt.timedelta(days=r.randrange(14 * 365))
        updated = published + dt.timedelta(days=r.choice((0, 0, 0, r.randrange(1, 900))))
        slug = f"{outline.slug[:40]}-{i:05d}"
        tags = r.sample(self.p.tags, k=min(len(self.p.tags), r.randint(2, 6)))
        meta = {
            "title": title,
            "slug": slug,
            "type": kind,
            "category": outline.category if r.random() < 0.75 else r.choice(self.p.categories),
            "tags": tags,
            "summary": summary,
            "source": r.choice(self.p.sources) if r.random() < 0.4 else outline.source or r.choice(self.p.sources),
            "published": published,
            "updated": updated,
            "aliases": [f"old-{slug}"] if r.random() < 0.03 else [],
        }
        return slug, meta, body

    def remember_sections(self, slug: str, body: str) -> None:
        for s in split_sections(body):
            if s.anchor and s.level == 2 and len(self.linkable) < 200_000:
                self.linkable.append((slug, s.anchor, split_ordinal(s.heading)[1]))


def generate(count: int, out: Path, seed: int = DEFAULT_SEED, content: Path = ROOT / "content",
             seeds: Path | None = None, force: bool = False) -> dict:
    """Write ``count`` articles into ``out`` (emptied first if it holds an earlier corpus)."""
    started = time.perf_counter()
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not (out / MANIFEST).is_file() and not force:
            raise SystemExit(f"{out} 不是空目录，也不是生成的语料（没有 {MANIFEST}）；换一个目录或加 --force")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    pools = learn(Path(content), seeds)
    gen = Generator(pools, seed)
    # Decide every article's outline first; checklists are written last so they can link to
    # sections of generated articles.
    n_check = len(gen.checklists)
    share = n_check / len(pools.outlines) if gen.guides else 1.0
    plan = [(i, gen.rng.choice(gen.checklists) if gen.checklists and gen.rng.random() < share
             else gen.rng.choice(gen.guides or gen.checklists)) for i in range(count)]
    order = [p for p in plan if p[1].type != "checklist"] + [p for p in plan if p[1].type == "checklist"]
    total_bytes = 0
    for i, outline in order:
        slug, meta, body = gen.article(i, outline)
        folder = out / f"{i // FILES_PER_FOLDER:03d}"
        folder.mkdir(exist_ok=True)
        data = (front_matter(meta) + "\n" + body).encode("utf-8")
        (folder / f"{slug}.md").write_bytes(data)
        total_bytes += len(data)
        if meta["type"] != "checklist":
            gen.remember_sections(slug, body)
    dictionary = Path(content) / "_dictionary.txt"
    if dictionary.is_file():
        shutil.copyfile(dictionary, out / "_dictionary.txt")
    manifest = {
        "count": count, "seed": seed, "generator": GENERATOR_VERSION, "sources": pools.digest,
        "bytes": total_bytes, "seconds": round(time.perf_counter() - started, 2),
        "pools": {"outlines": len(pools.outlines), "paragraphs": len(pools.paragraphs),
                  "sentences": len(pools.sentences), "list_items": len(pools.list_items),
                  "task_items": len(pools.task_items), "headings": len(pools.headings_any)},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def ensure(count: int, out: Path, seed: int = DEFAULT_SEED, content: Path = ROOT / "content",
           seeds: Path | None = None) -> tuple[dict, bool]:
    """The corpus in ``out``, generated unless an identical one is already there. (manifest, made)"""
    out = Path(out)
    try:
        old = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    want = {"count": count, "seed": seed, "generator": GENERATOR_VERSION, "sources": learn(Path(content), seeds).digest}
    if old and all(old.get(k) == v for k, v in want.items()):
        return old, False
    return generate(count, out, seed, content, seeds), True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, required=True, help="number of articles, e.g. 1000, 10000, 50000")
    ap.add_argument("--out", type=Path, required=True, help="target folder (emptied if it holds an earlier corpus)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--content", type=Path, default=ROOT / "content", help="real articles to learn from")
    ap.add_argument("--seeds", type=Path, help="optional folder of raw .txt source texts (more paragraphs)")
    ap.add_argument("--force", action="store_true", help="empty a non-empty target folder that is not a corpus")
    args = ap.parse_args(argv)
    manifest = generate(args.count, args.out, args.seed, args.content, args.seeds, args.force)
    print(f"{args.count} articles, {manifest['bytes'] / 1e6:.1f} MB in {args.out} ({manifest['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
