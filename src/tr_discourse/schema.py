"""The columns of the tables tr_discourse makes, declared once.

Other modules take column names from here.
"""

from __future__ import annotations

__all__ = ["DOCUMENT_COLUMNS", "SEGMENT_COLUMNS", "SEGMENT_EXTRA_COLUMNS", "UNITS"]

#: Segmenter names accepted by ``unit=``.
UNITS = ("auto", "document", "paragraph", "sentence", "turn", "comment")

#: Required segment columns, in order, with what each holds.
SEGMENT_COLUMNS = {
    "segment_id": "stable id '{doc_id}:{t|c|p|s}{position:03d}'; the doc_id for unit document",
    "doc_id": "the document's id (file stem, post slug or table row id)",
    "position": "1-based order within the document; gaps where interviewer turns are left out",
    "kind": "turn, preamble (interviews); post, comment, reply, other (blogs); text; document",
    "speaker": "speaker label, commenter or sign-off; empty when unknown",
    "parent_id": "for replies: the comment-level id of the comment replied to",
    "start": "offset of the first character in the document text",
    "end": "offset one past the last character in the document text",
    "text": "what coders see: text[start:end] with the document's markup deleted",
    "date": "the comment's date where the source gives one, else the document's date",
}

#: Further segment columns, always present, in order.
SEGMENT_EXTRA_COLUMNS = {
    "role": "interviewer or participant (interviews)",
    "unit_id": "id of the turn or comment the segment lies in (its id at unit turn/comment)",
    "n_words": "number of words",
    "n_notes": "bracketed transcriber notes such as [inaudible] or [laughs] in the text",
    "bare_link": "comments: true when the comment is only links (and a sign-off)",
    "comment_no": "comments: Blogger-style number, '3' or '3.2' for a reply",
    "time_start": "seconds from the start of the recording (timestamps, cue times)",
    "time_end": "seconds, end of the last cue (WebVTT, SRT)",
    "corpus": "name of the corpus folder (or the folder of the file)",
    "genre": "interview, blog or document",
    "format": "the format the document was read as",
    "title": "blog post title",
}

#: Document table columns, in order; metadata columns follow.
DOCUMENT_COLUMNS = ("doc_id", "corpus", "genre", "format", "source", "title", "date",
                    "n_chars", "n_units", "text")
