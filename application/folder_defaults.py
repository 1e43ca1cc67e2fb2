"""A folder's defaults (``_folder.yaml``, kb.folders) seen and set in the browser: who may read
the folder's articles (``readers``) and who must read them (``required_for``), for editors who
should not have to edit a YAML file in the content folder.

The file is saved as every content file is (kb.saving.save_text: checked like ``kb check``,
under its lock, never over a change made since it was opened, committed to the history as the
editor); search then takes the articles it concerns, and every worker reloads. Only the two
lines the page shows change: comments and other fields stay as they were written.

Who may change a folder's defaults: an editor who may read every article under the folder —
a folder default decides who sees them, so an editor outside 财务处 must not be able to open 财务处's
folder to everyone, nor learn that it exists — and the admins. Anyone else gets the answer a
folder that does not exist gets.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping

from kb import folders
from kb.fields import registry
from kb.form import written
from kb.history import Author
from kb.saving import TextSaveResult, save_text

from .access import Reader
from .changes import ChangesView

#: The fields the page shows: who may read, who must read (kb.fields).
SHOWN = ("readers", "required_for")


@dataclass
class FolderDefaults:
    folder: str  # relative to the content folder; "" for the content folder itself
    rel: str  # its folder file
    text: str  # the file as it is ("" when there is none)
    digest: str | None  # of the file's bytes, None when there is none
    own: dict = field(default_factory=dict)  # field -> the value this file gives
    inherited: dict = field(default_factory=dict)  # field -> (value, folder file) from the folders above
    articles: int = 0  # the articles in it and below

    @property
    def label(self) -> str:
        return f"{self.folder}/" if self.folder else "全部文章（内容目录）"

    def value(self, name: str):
        """What an article in the folder that does not write ``name`` gets."""
        return self.given(name)[0]

    def given(self, name: str) -> tuple[object, str]:
        """(what an article in the folder that does not write ``name`` gets, the folder file
        that gives it); (None, "") when no folder does."""
        if name in self.own:
            return self.own[name], self.rel
        return self.inherited.get(name, (None, ""))


@dataclass
class FolderSaved:
    result: TextSaveResult
    notes: list[str] = field(default_factory=list)
    shut_out: bool = False  # the person saving may no longer see (nor change) the folder


class FolderSettings:
    def __init__(self, site):
        self.site = site

    def _changeable(self, reader: Reader) -> tuple[list[str], dict[str, int]]:
        """(the folders ``reader`` may change, folder -> how many articles are in it and below)."""
        if not reader.at_least("editor"):
            return [], {}
        everything = self.site.catalog()
        rels = list(everything.by_path)
        visible = self.site.catalog_for(reader).by_path
        blocked: set[str] = set()
        counts: dict[str, int] = {}
        for rel in rels:
            parent = PurePosixPath(rel).parent
            above = ["", *(str(p) for p in [parent, *parent.parents] if str(p) != ".")]
            for folder in above:
                counts[folder] = counts.get(folder, 0) + 1
            if rel not in visible:
                blocked.update(above)
        return [f for f in folders.of_articles(rels) if f not in blocked], counts

    def listing(self, reader: Reader) -> list[FolderDefaults]:
        """Every folder ``reader`` may change, with its defaults."""
        names, counts = self._changeable(reader)
        return [self._read(f, counts.get(f, 0)) for f in names]

    def defaults_for_new(self, folder: str) -> FolderDefaults:
        """The defaults a new article in ``folder`` gets (the 「新建」 form's hints), whoever asks:
        a folder's defaults name groups, never an article."""
        return self._read(folder.strip("/"), 0)

    def of(self, folder: str, reader: Reader) -> FolderDefaults | None:
        """The defaults of ``folder``, or None when it holds no article or ``reader`` may not
        change it (answered alike: a 404)."""
        folder = folder.strip("/")
        names, counts = self._changeable(reader)
        return self._read(folder, counts.get(folder, 0)) if folder in names else None

    def _read(self, folder: str, articles: int) -> FolderDefaults:
        root = self.site.store.root
        rel = folders.file_of(folder)
        try:
            raw = (root / rel).read_bytes()
        except FileNotFoundError:
            raw = None
        own, _ = folders.read(root, rel)
        inherited: dict = {}
        for above in folders.governing(f"{folder}/x.md" if folder else "x.md")[:-1]:
            for name, value in folders.read(root, above)[0].items():
                inherited[name] = (value, above)
        return FolderDefaults(folder, rel, raw.decode("utf-8", "replace") if raw is not None else "",
                              hashlib.sha1(raw).hexdigest() if raw is not None else None,
                              {k: v for k, v in own.items()}, inherited, articles)

    def history(self, current: FolderDefaults, reader: Reader, limit: int = 10):
        """The folder file's changes as ``reader`` may know them (application.changes)."""
        return ChangesView(self.site, reader).of_file(current.rel, limit)

    def save(self, current: FolderDefaults, form: Mapping[str, str], base_digest: str | None, author: Author,
             message: str, reader: Reader) -> FolderSaved:
        """The page's values of ``SHOWN`` written into the folder's file (the other lines kept),
        saved and committed like any content change; notes name groups the site has nobody in,
        and tell ``reader`` when they have just shut themselves out of the folder."""
        fields = registry()
        values = {name: written(fields[name], form.get(name, "")) for name in SHOWN if name in fields}
        text = folders.with_values(current.text, values)
        message = message.strip() or f"修改文件夹 {current.label} 的默认阅读范围和须阅读"
        site = self.site
        result = save_text(site.store.root, current.rel, text, base_digest,
                           lambda t: folders.parse(t, current.rel)[1],
                           record=lambda: site.commit([current.rel], author, message), guard=site._guard)
        if not result.saved:
            return FolderSaved(result)
        site.after_folder_change([current.rel])
        notes = site.unknown_groups(folders.parse(text, current.rel)[0], "这个文件夹里的文章")
        shut_out = self.of(current.folder, reader) is None
        if shut_out:
            notes.append(f"您不在新的阅读范围里：从现在起您看不到文件夹 {current.label} 里的文章，"
                         f"只有管理员和能看到其中全部文章的编辑能再修改它的设置。")
        return FolderSaved(result, notes, shut_out)
