"""Write a Blogger-text thread of the sample blog corpus as Blogger Atom and WordPress WXR.

Researchers get blog threads as exports as well as page copies; the sample
corpus ships one thread in each export format (``corpora/tr_blog/exports/``),
made from the page copy by this script, so that the three forms hold the same
post, comments and replies (``tests/test_sample_corpora.py`` checks that they
read to the same segments).

Usage::

    python corpora/make_exports.py corpora/tr_blog/2019-05-reunification-announced.txt --atom
    python corpora/make_exports.py corpora/tr_blog/2016-10-through-the-gate-report.txt --wxr
"""

from __future__ import annotations

import argparse
import html
from datetime import datetime, timedelta
from pathlib import Path

import tr_discourse as trd
from tr_discourse.io.write import atomic_write_text

BLOG_ID = "7000000000000000001"
BLOG_URL = "https://probation-blog.example.org"


def _thread(path: Path) -> tuple[dict, list[dict]]:
    corpus = trd.read_corpus(path)
    seg = corpus.segments
    doc = corpus.documents.iloc[0]
    posts = seg[seg["kind"] == "post"]
    post = {"title": doc["title"], "date": str(doc["date"])[:10], "slug": doc["doc_id"],
            "author": posts["speaker"].dropna().iloc[0] if posts["speaker"].notna().any()
            else None, "paragraphs": posts["text"].tolist()}
    comments = []
    when = datetime.fromisoformat(post["date"]) + timedelta(hours=9)
    for n, row in enumerate(seg[seg["kind"].isin(["comment", "reply"])].itertuples(), 1):
        own = datetime.fromisoformat(str(row.date)[:10]) + timedelta(hours=9) \
            if row.date is not None and str(row.date) != "NaT" else when
        when = max(when, own) + timedelta(minutes=7)
        comments.append({"id": str(9000 + n), "unit": row.unit_id, "parent": row.parent_id,
                         "author": row.speaker if isinstance(row.speaker, str) else None,
                         "when": when, "text": row.text})
    ids = {c["unit"]: c["id"] for c in comments}
    for c in comments:
        c["parent"] = ids.get(c["parent"]) if isinstance(c["parent"], str) else None
    return post, comments


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br />")


def atom(post: dict, comments: list[dict]) -> str:
    """Render the thread as a Blogger Atom export."""
    e = html.escape
    post_id = "5" + BLOG_ID[-6:]
    slug = post["slug"].removeprefix(post["date"][:8])  # "2019-05-" then the post's name
    url = f"{BLOG_URL}/{post['date'][:7].replace('-', '/')}/{slug}.html"  # doc_id = slug
    body = "".join(f"<p>{_html(p)}</p>" for p in post["paragraphs"])
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" '
           'xmlns:thr="http://purl.org/syndication/thread/1.0">',
           f"  <id>tag:blogger.com,1999:blog-{BLOG_ID}</id>",
           '  <title type="text">Tea Room Exile (synthetic sample corpus)</title>',
           "  <entry>",
           f"    <id>tag:blogger.com,1999:blog-{BLOG_ID}.post-{post_id}</id>",
           f"    <published>{post['date']}T08:30:00.000+01:00</published>",
           '    <category scheme="http://schemas.google.com/g/2005#kind" '
           'term="http://schemas.google.com/blogger/2008/kind#post"/>',
           f'    <title type="text">{e(post["title"])}</title>',
           f'    <content type="html">{e(body)}</content>',
           f'    <link rel="alternate" type="text/html" href="{url}"/>',
           f"    <author><name>{e(post['author'] or 'Anonymous')}</name></author>",
           "  </entry>"]
    for c in reversed(comments):  # Blogger exports list the newest comment first
        out += ["  <entry>",
                f"    <id>tag:blogger.com,1999:blog-{BLOG_ID}.post-{c['id']}</id>",
                f"    <published>{c['when']:%Y-%m-%dT%H:%M:%S}.000+01:00</published>",
                '    <category scheme="http://schemas.google.com/g/2005#kind" '
                'term="http://schemas.google.com/blogger/2008/kind#comment"/>',
                f'    <content type="html">{e(_html(c["text"]))}</content>']
        if c["parent"]:
            out.append(f'    <link rel="related" href="https://www.blogger.com/feeds/{BLOG_ID}/'
                       f'{post_id}/comments/default/{c["parent"]}"/>')
        out += [f"    <author><name>{e(c['author'] or 'Anonymous')}</name></author>",
                f'    <thr:in-reply-to ref="tag:blogger.com,1999:blog-{BLOG_ID}.post-{post_id}" '
                'type="text/html"/>',
                "  </entry>"]
    return "\n".join([*out, "</feed>", ""])


def wxr(post: dict, comments: list[dict]) -> str:
    """Render the thread as a WordPress WXR export."""
    def cdata(text: str) -> str:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"

    body = "\n\n".join(post["paragraphs"])
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:wp="http://wordpress.org/export/1.2/">',
           "<channel>",
           "  <title>Kettle Still Communal (synthetic sample corpus)</title>",
           "  <wp:wxr_version>1.2</wp:wxr_version>",
           "  <item>",
           f"    <title>{html.escape(post['title'])}</title>",
           f"    <dc:creator>{cdata(post['author'] or '')}</dc:creator>",
           f"    <content:encoded>{cdata(body)}</content:encoded>",
           "    <wp:post_id>6001</wp:post_id>",
           f"    <wp:post_date>{cdata(post['date'] + ' 08:30:00')}</wp:post_date>",
           f"    <wp:post_name>{cdata(post['slug'])}</wp:post_name>",
           f"    <wp:status>{cdata('publish')}</wp:status>",
           f"    <wp:post_type>{cdata('post')}</wp:post_type>"]
    for c in comments:
        when = f"{c['when']:%Y-%m-%d %H:%M:%S}"
        out += ["    <wp:comment>",
                f"      <wp:comment_id>{c['id']}</wp:comment_id>",
                f"      <wp:comment_author>{cdata(c['author'] or '')}</wp:comment_author>",
                f"      <wp:comment_date>{cdata(when)}</wp:comment_date>",
                f"      <wp:comment_content>{cdata(c['text'])}</wp:comment_content>",
                f"      <wp:comment_approved>{cdata('1')}</wp:comment_approved>",
                f"      <wp:comment_parent>{c['parent'] or 0}</wp:comment_parent>",
                "    </wp:comment>"]
    return "\n".join([*out, "  </item>", "</channel>", "</rss>", ""])


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("thread", type=Path, help="a Blogger-text thread")
    parser.add_argument("--atom", action="store_true")
    parser.add_argument("--wxr", action="store_true")
    args = parser.parse_args(argv)
    post, comments = _thread(args.thread)
    outdir = args.thread.parent / "exports"
    if args.atom:
        out = atomic_write_text(outdir / f"{args.thread.stem}-atom.xml", atom(post, comments))
        print(f"wrote {out}")
    if args.wxr:
        out = atomic_write_text(outdir / f"{args.thread.stem}-wxr.xml", wxr(post, comments))
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
