"""Prose is converted by Python-Markdown with "extra", lists as written and typographic quotes."""
from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import time

import markdown.util
import pytest

from conftest import fixture_project
from guide import content

TEXT = """Term
: its definition

| Month | Programme |
|---|---|
| 3 | Fair |

```
code as written
```

A claim[^1] about the SEC.

[^1]: Its source.

*[SEC]: Social Economy Centre

<div markdown="1">*emphasis* inside HTML</div>

A paragraph with an id.
{: #kept }

3. three
4. four

"Quoted" -- and so on...
"""


def test_prose_gets_every_extension_without_looking_names_up_among_installed_packages(monkeypatch):
    def looked_up():
        raise AssertionError("an extension was looked up by name among the installed packages")

    monkeypatch.setattr(markdown.util, "get_installed_extensions", looked_up)
    content.converter.cache_clear()
    try:
        html = content.convert(TEXT)
    finally:
        content.converter.cache_clear()
    for made in ("<dl>", "<dt>Term</dt>", "<table>", "<th>Month</th>", "<pre><code>code as written", 'class="footnote"',
                 '<abbr title="Social Economy Centre">SEC</abbr>', "<em>emphasis</em> inside HTML", 'id="kept"',
                 '<ol start="3">', "&ldquo;Quoted&rdquo; &ndash; and so on&hellip;"):
        assert made in html, made


def quickly(body: str) -> str:
    """Stands in for the conversion."""
    return f"<p>{len(body)}</p>"


def slowly(body: str) -> str:
    """Stands in for the conversion in a worker: long enough to be seen at work."""
    time.sleep(0.05)
    return quickly(body)


def test_the_prose_is_converted_on_every_core_while_the_build_goes_on_and_not_past_it(tmp_path, monkeypatch):
    """A first build of a large guide converts its Markdown in worker processes while it reads its
    data (see pipeline.load_sources); the documents are those of a conversion in one process, and a
    build stopped meanwhile ends the workers at once."""
    root = fixture_project(tmp_path)
    for i in range(content.PARALLEL_FROM // 2):
        for lang in ("en", "ko"):
            (root / "content" / lang / f"page-{i}.md").write_text(f"---\ntitle: Page {i}\ndescription: One of many\norder: {i + 10}\n---\n\n{lang}: {'Text. ' * i}\n", "utf-8")
    monkeypatch.setattr(content, "convert", slowly)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with content.documents_begun(root / "content", root) as documents:
        assert len(multiprocessing.active_children()) == 2  # at work before the documents are asked for
        found, problems = documents()
    assert not problems and not multiprocessing.active_children()
    shutil.rmtree(root / ".cache")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    monkeypatch.setattr(content, "convert", quickly)
    assert content.load_documents(root / "content", root) == (found, [])
    assert len(found) == 66 and all(re.fullmatch(r"<p>\d+</p>", d.html) for d in found)  # as the workers converted them

    shutil.rmtree(root / ".cache")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(content, "convert", slowly)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with content.documents_begun(root / "content", root):
            assert multiprocessing.active_children()
            raise KeyboardInterrupt  # Ctrl+C while the data is read: 66 texts would take the workers ~1.7 s
    assert not multiprocessing.active_children() and time.monotonic() - started < 1
