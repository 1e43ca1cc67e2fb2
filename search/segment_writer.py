"""Whoosh's segment writer fed the content field's postings by the matrix builder (search.matrix)
or by a matrix segment replayed (search.record), instead of making them token by token.

Whoosh, the index of record, turns every token into a posting in Python and writes each posting
through a Python loop; the matrix has the same postings grouped by term and document in numpy
arrays. Here they are handed to Whoosh's codec in its own order, a block of postings at a time,
and the files written are the ones Whoosh writes, byte for byte (tests/search/test_writer.py).
"""
from __future__ import annotations

import heapq
import itertools
import pickle
from array import array

import numpy as np
from whoosh.codec.whoosh3 import _lenfield
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from .matrix import SegmentBuilder
from .schema import TEXT_FIELD


class _RememberedLengths:
    """A per-document reader whose field lengths come from memory. Whoosh's flush looks up the
    length of a posting's document once per posting, each a seek and a read: 40 % of a commit.
    Here each document's length is read once."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        return self.field_lengths(fieldname, default)[docnum]

    def field_lengths(self, fieldname, default=0) -> list:
        """Every document's length of the field, as Whoosh keeps it (one byte: rounded)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            count = self._reader.doc_count_all()
            if hasattr(self._reader, "has_column") and not self._reader.has_column(_lenfield(fieldname)):
                lengths = [default] * count  # a field without lengths (Whoosh looks for the file at every read)
            else:
                read = self._reader.doc_field_length
                lengths = [read(d, fieldname, default) for d in range(count)]
            self._lengths[fieldname] = lengths
        return lengths

    def __getattr__(self, name):
        return getattr(self._reader, name)


class FastSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, fed the ``content`` field's postings by the matrix builder.

    Whoosh would turn every token into a posting one at a time in Python (its format, its pool,
    sorting the pool) — about half of its indexing time. The matrix builder has the same
    postings already grouped by term and document in numpy arrays: at flush they are handed to
    Whoosh's codec in its own order (field, term bytes, document), merged with the pool's
    postings of the other fields. The segment written is the same, byte for byte in meaning:
    same weights, same positions (tests compare Whoosh's own scorer with the matrix). Field
    lengths are also remembered while flushing (Whoosh reads one back per posting)."""

    def __init__(self, ix, builder: SegmentBuilder, **kwargs):
        # Segments stay separate files: Whoosh reads a compound segment's parts by copying each into
        # memory (BytesIO over the mapping), which made opening a writer on 10,000 articles 0.8 s.
        super().__init__(ix, compound=False, **kwargs)
        self.builder = builder

    def add_document(self, **fields):
        content = fields.pop(TEXT_FIELD, None)
        super().add_document(**fields)
        if content is not None and content.length:
            # the document just added (its number is still current in the per-document writer)
            self.perdocwriter.add_field(TEXT_FIELD, self.schema[TEXT_FIELD], None, content.length)

    def per_document_reader(self):
        return _RememberedLengths(super().per_document_reader())

    def _content_terms(self):
        """(term bytes, documents, weights, value bytes) of each term of the content field, in
        Whoosh's order (by term bytes)."""
        terms, arrays = self.builder.postings()
        term_ptr, docs, weights = arrays["term_ptr"].tolist(), arrays["post_doc"].tolist(), arrays["post_w"].tolist()
        pos_ptr, positions = arrays["pos_ptr"], arrays["positions"]
        # Whoosh's Positions format: the count, then the gaps between positions, pickled
        gaps = np.diff(positions, prepend=0)
        gaps[pos_ptr[:-1][np.diff(pos_ptr) > 0]] = positions[pos_ptr[:-1][np.diff(pos_ptr) > 0]]
        gaps, bounds = gaps.tolist(), pos_ptr.tolist()
        dumps = pickle.dumps
        for tid in sorted(range(len(terms)), key=lambda i: terms[i].encode("utf-8")):
            start, end = term_ptr[tid], term_ptr[tid + 1]
            values = [pack_uint(bounds[p + 1] - bounds[p]) + dumps(gaps[bounds[p] : bounds[p + 1]], 2)
                      for p in range(start, end)]
            yield terms[tid].encode("utf-8"), docs[start:end], weights[start:end], values

    def _content_postings(self):
        """(field, term bytes, document, weight, value bytes) of the content field, in order."""
        for text, docs, weights, values in self._content_terms():
            for doc, weight, value in zip(docs, weights, values):
                yield TEXT_FIELD, text, doc, weight, value

    def _all_postings(self):
        """The pool's postings (other fields, sorted by field) with the builder's content
        postings in their place: one pass, no comparisons per posting."""
        pool = iter(self.pool.iter_postings())  # items() may be a list: one pass over it
        ours = self._content_postings()
        for posting in pool:
            if posting[0] < TEXT_FIELD:
                yield posting
            elif posting[0] > TEXT_FIELD:
                yield from ours
                yield posting
                yield from pool
                return
            else:  # content of segments being merged in (an update that merges): interleave
                yield from heapq.merge(ours, itertools.chain([posting], pool), key=lambda p: p[:3])
                return
        yield from ours

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        if self.BULK:
            self._add_postings_by_term(lengths)
        else:
            self.fieldwriter.add_postings(self.schema, lengths, self._all_postings())
        self.fieldwriter.close()
        if lengths:
            lengths.close()

    # False: every posting through Whoosh's own loop, every field's terms made by Whoosh for each document
    # (search.record remembers them): the tests compare the files written
    BULK = True

    def _add_postings_by_term(self, lengths) -> None:
        """The pool's postings through Whoosh's loop, the content field's a term at a time: each
        block of postings handed to Whoosh's postings writer whole, with the statistics its
        loop would have gathered posting by posting (two thirds of the time of writing Whoosh's
        record of a cold build went to that loop). The files are the same, byte for byte."""
        fields = self.fieldwriter
        pool = iter(self.pool.iter_postings())  # sorted by field; items() may be a list: one pass
        after: list = []

        def before_content():
            for posting in pool:
                if posting[0] >= TEXT_FIELD:
                    after.append(posting)
                    return
                yield posting

        fields.add_postings(self.schema, lengths, before_content())
        if after and after[0][0] == TEXT_FIELD:  # content of segments being merged in (an update): interleave
            merged = heapq.merge(self._content_postings(), itertools.chain(after, pool), key=lambda p: p[:3])
            fields.add_postings(self.schema, lengths, merged)
            return
        self._add_content_by_term(lengths.field_lengths(TEXT_FIELD) if lengths else None)
        fields.add_postings(self.schema, lengths, itertools.chain(after, pool))

    def _add_content_by_term(self, doc_lengths: list | None) -> None:
        """What Whoosh's ``FieldWriter.add_postings`` and ``W3PostingsWriter.add_posting`` do for
        each posting of the content field, a block at a time: a block is written when the next
        posting would overflow it, the last one when the term is finished."""
        fields = self.fieldwriter
        fields.start_field(TEXT_FIELD, self.schema[TEXT_FIELD])
        limit = fields._postwriter._blocklimit
        for text, docs, weights, values in self._content_terms():
            if not docs:
                continue
            fields.start_term(text)
            postings = fields._postwriter
            for i in range(0, len(docs), limit):
                block, block_weights = docs[i : i + limit], weights[i : i + limit]
                postings._ids, postings._weights = array("I", block), array("f", block_weights)
                postings._values = values[i : i + limit]
                heaviest = max(block_weights)
                postings._maxweight = heaviest if heaviest > 0 else 0
                known = [doc_lengths[d] for d in block if doc_lengths[d]] if doc_lengths else []
                postings._minlength = min(known) if known else None
                postings._maxlength = max(known) if known else 0
                if i + limit < len(docs):
                    postings._write_block()
            fields.finish_term()
        fields.finish_field()
