"""What of the history a reader may know: a change's message and paths name the articles it
touched ("修改 财务印鉴交接办法"), so a reader who may not read one of them (application.access)
must not learn of it from the site's recent changes, their feed, or the history of another
article changed in the same commit.

A change that touched only articles hidden from the reader is left out; one that touched some
keeps the versions of what they may read (a public article's history stays whole, diffs still
compare consecutive versions), with its message replaced by a note and the hidden paths left
out. An article deleted since is judged by what its removal record says of its readers, or by
its folder's defaults (kb.removed, kb.folders).
"""
from __future__ import annotations

import dataclasses

from kb import approval
from kb.folders import defaults_for
from kb.history import Change

HIDDEN_MESSAGE = "（说明已隐去：这次修改也涉及您无权查看的文章）"


class ChangesView:
    def __init__(self, site, reader):
        self.site, self.reader = site, reader
        self.everything = site.store.catalog()
        self.mine = site.catalog_for(reader)
        self.removed_at = {r.path: r for r in self.everything.removed.values()}

    def may_know(self, rel: str) -> bool:
        """Whether the file ``rel`` (as a change names it) is one the reader may know of."""
        if rel in self.mine.by_path:
            return True
        if rel in self.everything.by_path:
            return False
        if not rel.endswith(".md") or rel.startswith(("_", ".")):
            return True  # not an article: the synonyms, the removed list, media, folder defaults
        removal = self.removed_at.get(rel)
        meta = removal.meta(self.everything.root) if removal is not None else \
            {"readers": defaults_for(self.everything.root, rel).get("readers", ([], ""))[0]}
        return self.site.access.can_read(meta, self.reader)

    def shown(self, change: Change, paths: list[str]) -> Change | None:
        """``change`` as the reader may see it, or None when it touched only hidden articles.
        The drafts area (kb.approval) is the editors' own: a change of drafts alone (a draft
        saved, sent back with the approver's comment) is not there for anyone else, and a
        publication shows as the change of its article."""
        if not self.reader.at_least("editor"):
            public = [p for p in paths if not p.startswith(approval.FOLDER + "/")]
            if not public:
                return None
            if len(public) != len(paths):
                change, paths = dataclasses.replace(change, paths=public), public
        known = [p for p in paths if self.may_know(p)]
        if len(known) == len(paths):
            return change
        if not known:
            return None
        return dataclasses.replace(change, message=HIDDEN_MESSAGE, paths=known)

    def recent(self, limit: int) -> list[tuple]:
        out = []
        for change in self.site.history.log(None, limit=limit * 3):
            seen = self.shown(change, change.paths)
            if seen is not None:
                out.append((seen, [self.mine.by_path[p] for p in seen.paths if p in self.mine.by_path], seen.paths))
            if len(out) == limit:
                break
        return out

    def of_article(self, article, limit: int) -> list[Change]:
        return self.of_file(article.rel_path, limit)

    def of_file(self, rel_path: str, limit: int) -> list[Change]:
        """The changes of one file of the content folder (an article, a folder's defaults), a
        message that names what the reader may not know replaced by a note."""
        history = self.site.history
        changes = history.log(rel_path, limit=limit)
        touched = history.paths_of([c.rev for c in changes])
        return [change if self._told(change, touched.get(change.rev, change.paths))
                else dataclasses.replace(change, message=HIDDEN_MESSAGE) for change in changes]

    def _told(self, change: Change, paths: list[str]) -> bool:
        """Whether the reader may read ``change``'s message (it names nothing hidden from them)."""
        seen = self.shown(change, paths)
        return seen is not None and seen.message == change.message

    def version(self, article, rev: str):
        found = self.site.history.version(rev, article.rel_path)
        if found is None:
            return None
        change, text = found
        if not self._told(change, self.site.history.paths_of([change.rev]).get(change.rev, change.paths)):
            change = dataclasses.replace(change, message=HIDDEN_MESSAGE)
        return change, text
