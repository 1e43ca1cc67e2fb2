"""Best bets (推荐答案) as editors keep them: the pins file (kb.pins) read, checked, pinned to
and saved the way the synonyms list is — checked by search as it reads the file, saved under the
articles' locks over the version the editor opened, recorded in the content's history — so a
pin is versioned with the content and every worker's next search uses it (search.pins)."""
from __future__ import annotations

import hashlib

from kb import pins
from kb.article import Problem
from kb.history import Author
from kb.saving import TextSaveResult, save_text


class BestBets:
    def __init__(self, site):
        self.site = site

    @property
    def path(self):
        return self.site.store.root / pins.FILE

    def text(self) -> tuple[str, str | None]:
        """(text, digest) of the pins file; ("", None) when there is none yet."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return "", None
        return raw.decode("utf-8", "replace"), hashlib.sha1(raw).hexdigest()

    def listed(self, text: str | None = None) -> list[tuple[pins.Pin, object, str | None]]:
        """Each pin with its target article (None when gone) and what is wrong with it."""
        catalog = self.site.catalog()
        found = pins.parse(self.text()[0] if text is None else text)[0]
        return [(p, catalog.get(p.slug), pins.target_problem(p, catalog)) for p in found]

    def problems(self, text: str | None = None) -> list[Problem]:
        """What is wrong with the pins (the file's, or ``text``): lines search cannot read
        (errors), targets deleted, renamed, gone or repealed (warnings, as `kb check` says)."""
        text = self.text()[0] if text is None else text
        return self.site.search.check_pins(text) + pins.check_targets(pins.parse(text)[0], self.site.catalog())

    def save(self, text: str, base_digest: str | None, author: Author, message: str) -> TextSaveResult:
        return save_text(self.site.store.root, pins.FILE, text, base_digest, self.problems,
                         record=lambda: self.site.history.commit([pins.FILE], author.name, author.email, message))

    def pin(self, query: str, target: str, author: Author, message: str = "") -> TextSaveResult:
        """Pin ``target`` (slug, slug#anchor or the article's address) as the answer to ``query``,
        replacing a pin of the same query. Raises ValueError for a query or target that cannot
        be written on a line."""
        text, digest = self.text()
        changed = pins.with_pin(text, query, target)
        return self.save(changed, digest, author, message or f"推荐答案：{' '.join(query.split())} → {target}")
