"""The writing help the editor links to (「更多写法」): every way of writing an article, each shown
as typed and as this site renders it — by the editor's preview code, so the help cannot promise
what the site does not do. It used to be commonmark.org, which an office intranet often cannot
reach and which knows nothing of 清单, 提示框 or links to a section."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template

from . import catalog, render_article, site

bp = Blueprint("help", __name__)


@dataclass(frozen=True)
class Example:
    title: str
    source: str  # Markdown as an editor types it
    note: str = ""
    shown: bool = True  # False: the effect cannot be shown here (an image needs a file)
    # The effect is a picture of controls that do nothing here (a task's box, which a checklist
    # page labels with its words): hidden from screen readers, which read the source instead.
    pictured: bool = False


EXAMPLES = [
    Example("小节标题", "## 一、总体要求\n\n### （一）会前准备\n\n#### 1. 会场布置",
            "标题层级跟随原文的提纲：「一、」用 ##，「（一）」用 ###，「1.」用 ####，序号照写。"
            "文章标题写在开头的 title 里，正文不用 #。每个小节都有自己的链接（序号不算在内，重新编号不影响已有的链接）；"
            "要固定一个链接，在标题后写 {#英文名}。"),
    Example("段落", "会议通知要写明时间、地点和议题。\n\n段落之间空一行；不要在句子中间换行。"),
    Example("强调", "**加粗**、*倾斜*、==标记==、~~删除线~~"),
    Example("列表", "- 会前准备\n- 会中服务\n    - 签到\n    - 记录\n\n1. 拟稿\n2. 核稿\n3. 签发",
            "下一级列表缩进四个空格。"),
    Example("清单", "- [ ] 确定会议议题\n- [x] 通知参会人员",
            "类型为「清单」的文章里，读者点事项的文字就能勾选（状态保存在读者的浏览器里）。", pictured=True),
    Example("链接", "", "链接到另一篇文章的某一节写 slug#锚点（锚点是小节标题去掉序号）；只写 slug 链接整篇文章；"
            "#锚点 链接本文的一节。保存前会检查每个站内链接指向的文章和小节是否存在。"),
    Example("表格", "| 事项 | 负责人 | 时限 |\n|:---|:---:|---:|\n| 会场布置 | 办公室 | 会前一天 |\n| 材料准备 | 秘书科 | 会前三天 |",
            "第二行的冒号决定对齐：:--- 靠左，:---: 居中，---: 靠右。Word 里的表格用「导入」最省事。"),
    Example("引用", "> 办公室工作无小事。"),
    Example("提示框", '!!! note "提示"\n    会议通知至少提前三天发出。\n\n!!! warning "注意"\n    涉密文件不得通过互联网传递。',
            "note（提示）、tip、important、warning（注意）、danger 等；内容缩进四个空格。"),
    Example("名词解释", "请示\n:   向上级机关请求指示、批准的公文。"),
    Example("代码或原样照录的文字", "```\nkb check content/\n```", "用 ``` 或 ~~~ 把内容围起来，里面的 # 和链接不算标题和链接。"),
    Example("图片", "![会场座次图](/media/0123456789abcdef.png)",
            "图片随 Word 文件「导入」时自动存进本站的图片库（PNG、JPEG、GIF、WebP）；文章里只显示本站的图片，"
            "其他网站的图片显示为一个链接。", shown=False),
]


def _link_source() -> str:
    """Links to an article and a section this site has, so that the example works as shown."""
    sections = [(len(s.heading) + len(a.title), a.slug, a, s)
                for a in catalog().articles for s in a.sections if s.level == 2 and s.anchor]
    if not sections:
        return "[本站首页](/)"
    _, _, article, section = min(sections, key=lambda found: found[:2])  # the shortest, for a readable example
    return (f"[{section.heading}]({article.slug}#{section.anchor})\n\n"
            f"[{article.title}]({article.slug})\n\n[本站首页](/)")


def _rendered(source: str) -> str:
    article, _ = site().check_text("guides/writing-help.md", source)
    return render_article(article).html if article is not None else ""


@bp.get("/help/markdown")
def markdown():
    examples = []
    for example in EXAMPLES:
        source = example.source or _link_source()
        examples.append((example, source, _rendered(source) if example.shown else ""))
    return render_template("help_markdown.html", examples=examples)
