"""The Content Security Policy: each page states its own in a <meta http-equiv> (so that it
holds on any static host); build.py's server sends the same as a header, read from the
page it serves, so there is one source for both. Why each source is there: see the
comment beside each page's meta and README "Content Security Policy"."""

from __future__ import annotations

from html.parser import HTMLParser


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.policy: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "meta" and (fields.get("http-equiv") or "").lower() == "content-security-policy":
            self.policy = self.policy or fields.get("content")


def policy_of(html: str) -> str | None:
    """The policy of a page's first CSP <meta>, None when it has none."""
    parser = _Meta()
    parser.feed(html)
    return parser.policy


def directives(policy: str) -> dict[str, list[str]]:
    """{directive: [sources]} of a policy string."""
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found.setdefault(words[0].lower(), words[1:])
    return found
