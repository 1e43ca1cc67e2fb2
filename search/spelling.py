"""「您是不是要找」: homophone slips and pinyin typed with the input method off.

Chinese typos from pinyin input methods are mostly other words with the same sound: 请视汇报 for
请示汇报, 办工室 for 办公室, 保秘 for 保密. The index's words are keyed by their toneless pinyin
(search.matrix, made while indexing); a stretch of the typed words whose pinyin is the key of an
index word, and which is not itself that word, is replaced by it. Stretches span jieba's words
because a slip often makes jieba cut differently (请视汇报 → 请 / 视 / 汇报), and they may hold
Latin letters (保mi, baomi) — pinyin typed for the characters. No offline spelling-correction
package exists for Chinese that runs without a model hub; this is cheap.
"""
from __future__ import annotations

from . import pinyin

LONGEST = 4  # words joined into one stretch at most


class Speller:
    def __init__(self, homophone, known):
        """``homophone(pinyin)``: the index word with that sound (Matrix.homophone), or None;
        ``known(word)``: the word is in the index."""
        self.homophone = homophone
        self.known = known

    def _replacement(self, words: list[str]) -> str | None:
        text = "".join(words)
        if len(words) == 1 and self.known(text) and (len(text) > 1 or not text.isascii()):
            return None  # a word of the index is no slip
        if len(words) > 1 and all(len(w) > 1 and self.known(w) for w in words):
            return None  # words of the index side by side are meant: slips leave unknown words or lone characters
        if not (pinyin.has_cjk(text) or text.isalpha() and text.isascii()):
            return None
        better = self.homophone(pinyin.key(words))
        return better if better and better != text else None

    def correct(self, words: list[str]) -> list[str] | None:
        """The words with slips replaced, or None when nothing needed correcting. Longer
        stretches are tried first, from the left."""
        out, i, changed = [], 0, False
        while i < len(words):
            for j in range(min(len(words), i + LONGEST), i, -1):
                better = self._replacement(words[i:j])
                if better:
                    out.append(better)
                    i, changed = j, True
                    break
            else:
                out.append(words[i])
                i += 1
        return out if changed else None
