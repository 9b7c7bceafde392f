"""What HTML prose may put into a page: checked on Markdown's output, located in the Markdown source.

Markdown lets raw HTML through, and prose arrives by pull request. The hosted site's
Content-Security-Policy would stop a script, but the offline bundle and the brochure PDF have no
such header, so the rule is enforced on the source: elements from a small allowlist, no event
handlers or style attributes, no script URLs, no resource from another host.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

ALLOWED_TAGS = frozenset("""
    a abbr b blockquote br caption cite code dd del details dfn div dl dt em figcaption figure
    h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub summary sup
    table tbody td tfoot th thead time tr u ul var
""".split())
FORBIDDEN_TAGS = frozenset("script style iframe object embed frame frameset applet base link meta".split())
COMMON_ATTRIBUTES = frozenset("id class title lang dir role".split())
ATTRIBUTES = {
    "a": {"href", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "scope", "align"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "details": {"open"},
}
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
RESOURCE_ATTRIBUTES = frozenset({"src"})  # loaded by the browser, not followed by the reader
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
SCRIPT_SCHEMES = ("javascript", "vbscript", "data")
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")  # browsers skip these inside a URL's scheme


def html_problems(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """Return (rule broken, text to find it by in the source) for each thing the policy forbids."""
    checker = PolicyChecker()
    checker.feed(html)
    checker.close()
    return checker.problems


class PolicyChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append((f"<{tag}> is not allowed", (f"<{tag}",)))
            return
        if tag not in ALLOWED_TAGS:
            self.problems.append((f"raw HTML element <{tag}> is not allowed (see README, Writing prose)", (f"<{tag}",)))
            return
        for name, value in attrs:
            rule = attribute_problem(tag, name, value or "")
            if rule:
                self.problems.append((rule, tuple(filter(None, (value, name, f"<{tag}")))))

    handle_startendtag = handle_starttag


def attribute_problem(tag: str, name: str, value: str) -> str | None:
    """Return the rule an attribute breaks, if any."""
    if name.startswith("on"):
        return f"event handler attributes ({name}) are not allowed"
    if name == "style":
        return "style attributes are not allowed (the Content-Security-Policy blocks them); use the stylesheet"
    if name not in COMMON_ATTRIBUTES and name not in ATTRIBUTES.get(tag, ()) and not name.startswith("aria-"):
        return f"attribute '{name}' is not allowed on <{tag}>"
    if name in URL_ATTRIBUTES:
        return url_problem(name, value)
    return None


def url_problem(name: str, value: str) -> str | None:
    scheme = IGNORED_IN_SCHEME.sub("", value).split(":", 1)[0].lower() if ":" in value else ""
    if scheme in SCRIPT_SCHEMES:
        return f"{scheme}: URLs are not allowed ({name}=\"{shortened(value)}\")"
    parts = urlsplit(value.strip())
    if name in RESOURCE_ATTRIBUTES and (parts.scheme or parts.netloc):
        return f"loads a resource from another host ({shortened(value)}); the guide makes no request to another host"
    if parts.scheme and parts.scheme.lower() not in LINK_SCHEMES:
        return f"{parts.scheme}: links are not allowed (use https:, mailto:, tel: or a relative link)"
    return None


def shortened(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def source_line(lines: list[str], needles: tuple[str, ...]) -> int:
    """Return the 0-based index of the first line holding one of the needles, in order of preference."""
    for needle in needles:
        lowered = needle.lower()
        for number, line in enumerate(lines):
            if lowered in line.lower():
                return number
    return 0
