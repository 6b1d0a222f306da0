"""kg.sources: files and folders -> Article records or SourceError values."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pytest

from kg.documents import front_matter, read_page
from kg.errors import SourceError
from kg.sources import Article, read_article, read_sources

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ARTICLES = ROOT / "tests" / "data" / "articles"


def test_sources_txt_title_is_first_nonempty_line_and_text_is_unchanged(tmp_path):
    path = tmp_path / "Story One.txt"
    text = "\n\n  Headline here  \nBody sentence.\n"
    path.write_text(text, encoding="utf-8")
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.id == "story-one"
    assert article.title == "Headline here"
    assert article.text == text
    assert article.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert article.source_path == str(path)
    assert article.date is None


def test_sources_seed_txt_with_front_matter_is_stripped():
    [article] = read_sources([SEEDS / "004_b648070cfbc313ec.txt"])
    assert isinstance(article, Article)
    assert article.id == "004_b648070cfbc313ec"
    assert article.title == "TikTok-owner ByteDance takes lead in race to capitalise on AI in China"
    assert article.date == "2024-12-08"  # "Dec 8, 2024" in its front matter, read as ISO
    assert article.text.startswith("ByteDance, the parent company of TikTok")
    assert "page_first_p" not in article.text and "---" not in article.text[:10]


def test_sources_markdown_front_matter_title_and_date():
    article = read_article(ARTICLES / "sub" / "front-matter.md")
    assert article.title == "Moonshot AI hires in San Francisco"
    assert article.date == "2024-11-20"
    assert article.text.startswith("# A heading that is not the title")


def test_sources_markdown_without_front_matter_takes_heading_as_title(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Kimi gains users\n\nMoonshot AI's Kimi grows.\n", encoding="utf-8")
    assert read_article(path).title == "Kimi gains users"


def test_sources_front_matter_tolerates_indentation_quotes_and_continuations():
    meta, rest = front_matter(
        "---\n  title: 'It''s here'\n  des:\n    \"long: value\"\n  page_date: \"Dec 8, 2024\"\n"
        "---\nText.\n"
    )
    assert meta == {"title": "It's here", "des": "long: value", "page_date": "Dec 8, 2024"}
    assert rest == "Text.\n"


def test_sources_unclosed_front_matter_or_rule_is_text():
    assert front_matter("---\ntitle: x\nno end\n") == ({}, "---\ntitle: x\nno end\n")
    assert front_matter("---\n\n---\nText\n") == ({}, "---\n\n---\nText\n")


def test_sources_html_keeps_paragraphs_and_drops_chrome():
    article = read_article(ARTICLES / "sub" / "page.html")
    assert article.title == "Baidu expands in California"  # trafilatura: the headline
    lines = article.text.splitlines()
    assert lines == [
        "Baidu, the Chinese search giant, has opened an AI lab in Sunnyvale.",
        "The lab works on Ernie Bot, Baidu's chatbot & assistant.",
    ]
    for dropped in ("Tencent", "Home", "Related", "Copyright", "color"):
        assert dropped not in article.text


def test_sources_html_fragment_is_read_whole():
    page = read_page("<body><h1>Only <i>heading</i></h1><p>Para</p></body>")
    assert page.text == "Only heading\nPara\n"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\t \n", "empty file"),
        ("binary.txt", b"GIF89a\x00\x01\x02", "binary file"),
        ("only-front.md", b"---\ntitle: x\n---\n\n", "no article text"),
        ("empty.html", b"<html><script>x()</script></html>", "no article text"),
    ],
)
def test_sources_unusable_file_is_a_source_error_value(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    [item] = read_sources([path])
    assert isinstance(item, SourceError)
    assert item.path == str(path)
    assert reason in item.reason


def test_sources_bad_files_do_not_stop_the_others(bad_sources):
    items = list(read_sources([bad_sources.dir, bad_sources.dir / "missing.txt"]))
    articles = [i for i in items if isinstance(i, Article)]
    errors = {Path(i.path).name: i.reason for i in items if isinstance(i, SourceError)}
    assert [a.id for a in articles] == ["good"]
    assert set(errors) == {"binary.txt", "blank.md", "empty.txt", "missing.txt"}
    assert errors["missing.txt"] == "no such file or folder"


def test_sources_unsupported_explicit_file_is_reported(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    [item] = read_sources([path])
    assert isinstance(item, SourceError) and "unsupported file type '.pdf'" in item.reason


def test_sources_cp1252_is_decoded_with_a_warning(tmp_path, caplog):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Huawei\u2019s Ascend 910B \u2013 caf\u00e9".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="kg.sources"):
        article = read_article(path)
    assert article.text == "Huawei\u2019s Ascend 910B \u2013 caf\u00e9"
    assert "not valid UTF-8" in caplog.text and "legacy.txt" in caplog.text


def test_sources_folders_are_walked_recursively_sorted_skipping_hidden(tmp_path):
    shutil.copytree(ARTICLES, tmp_path / "in")
    (tmp_path / "in" / ".hidden").mkdir()
    (tmp_path / "in" / ".hidden" / "secret.txt").write_text("Hidden text.", encoding="utf-8")
    (tmp_path / "in" / "notes.json").write_text("{}", encoding="utf-8")
    items = list(read_sources([tmp_path / "in"]))
    assert [Path(a.source_path).relative_to(tmp_path / "in").as_posix() for a in items] == [
        "nvidia-supplies.txt",
        "sub/front-matter.md",
        "sub/page.html",
    ]


def test_sources_id_collision_gets_sha_suffix_and_same_file_is_read_once(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text("First story.", encoding="utf-8")
    (tmp_path / "b" / "story.md").write_text("Second story.", encoding="utf-8")
    items = list(read_sources([tmp_path / "a", tmp_path / "b", tmp_path / "a" / "story.txt"]))
    assert len(items) == 2
    first, second = items
    assert first.id == "story"
    assert second.id == f"story-{second.sha256[:8]}"


def test_sources_windows_line_endings_are_normalised(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Title\r\nBody one.\r\nBody two.\r\n")
    assert read_article(path).text == "Title\nBody one.\nBody two.\n"


def test_sources_seeds_are_five_articles():
    items = list(read_sources([SEEDS]))
    assert len(items) == 5
    assert all(isinstance(i, Article) for i in items)
    assert [i.id for i in items] == sorted(p.stem for p in SEEDS.glob("*.txt"))


# --------------------------------------------------------------------------- JSON Lines, stdin


def test_sources_jsonl_records_are_articles_and_bad_lines_errors_named_by_line(tmp_path):
    import gzip
    import io

    from kg.sources import count_sources, read_stream

    lines = [
        '{"id": "R-1", "title": "Chips", "text": "Nvidia sold chips.", "date": "1987-03-02"}',
        "",
        "{not json",
        '["a list"]',
        '{"id": "r2", "text": "Chips: AMD bought Xilinx.", "title": "Chips:", "url": 5}',
        '{"title": "No id", "text": "TSMC built a fab."}',
        '{"id": "R-1", "text": "Same id, other text."}',
    ]
    feed = tmp_path / "feed.jsonl.gz"
    with gzip.open(feed, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    items = list(read_sources([feed]))
    assert count_sources([feed]) == len(items) == 6
    first, bad_json, bad_list, second, third, dup = items
    assert (first.id, first.title, first.date) == ("r-1", "Chips", "1987-03-02")
    assert first.text == "Chips\n\nNvidia sold chips."
    assert first.source_path == f"{feed}:1"
    assert isinstance(bad_json, SourceError) and bad_json.path == f"{feed}:3"
    assert "not valid JSON" in bad_json.reason
    assert isinstance(bad_list, SourceError) and "JSON object" in bad_list.reason
    assert second.text == "Chips: AMD bought Xilinx." and second.url == "5"
    assert third.id.startswith("record-") and third.title == "No id"
    assert dup.id.startswith("r-1-") and dup.id != first.id
    # the same lines on standard input
    streamed = list(read_stream(io.BytesIO(("\n".join(lines) + "\n").encode())))
    assert [getattr(x, "id", None) for x in streamed] == [getattr(x, "id", None)
                                                           for x in items[:5]] + ["r-1"]


def test_sources_stdin_plain_text_is_one_article_and_blank_input_an_error():
    import io

    from kg.sources import read_stream

    [article] = read_stream(io.BytesIO(b"\n---\ntitle: Piped\n---\nNvidia sold chips.\n"))
    assert isinstance(article, Article)
    assert article.title == "Piped" and article.text == "Nvidia sold chips.\n"
    assert article.id == f"stdin-{article.sha256[:12]}"
    [error] = read_stream(io.BytesIO(b" \n\n"))
    assert isinstance(error, SourceError) and error.reason == "empty input"
    [binary] = read_stream(io.BytesIO(b"PK\x03\x04\x00\x00zip"))
    assert isinstance(binary, SourceError) and "binary" in binary.reason


def test_sources_count_does_not_read_articles_and_is_none_for_stdin(tmp_path):
    from kg.sources import count_sources

    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "x"}\n\n{"text": "y"}\n', encoding="utf-8")
    assert count_sources([tmp_path, tmp_path / "missing.txt"]) == 4
    assert count_sources([tmp_path, "-"]) is None
