"""Prose is converted by Python-Markdown with "extra", lists as written and typographic quotes."""
from __future__ import annotations

import markdown.util

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
