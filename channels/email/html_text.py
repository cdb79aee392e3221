"""Plain text from an HTML-only email, with the standard library's `html.parser`.

Only the words matter: scripts, styles and the document head are dropped, block elements become
line breaks, list items keep a dash, and `<blockquote>` content is prefixed with "> " so a quoted
earlier reply in an HTML-only message is recognised and stripped like a plain-text one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never text a person wrote in the message.
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "object"})
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skip_depth = 0
        self._quote_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag == "br":
            self._break()
        elif tag in _BLOCK:
            self._break()
            if tag == "blockquote":
                self._quote_depth += 1
            elif tag == "pre":
                self._pre_depth += 1
            elif tag == "li":
                self._line.append("- ")
        elif tag in ("td", "th"):
            self._line.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in _BLOCK:
            self._break()
            if tag == "blockquote":
                self._quote_depth = max(0, self._quote_depth - 1)
            elif tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
            elif tag == "p":
                self._blank_line()

    def handle_data(self, data: str) -> None:
        if self._skip_depth or not data:
            return
        if self._pre_depth:
            parts = data.split("\n")
            for index, part in enumerate(parts):
                if index:
                    self._break()
                self._line.append(part)
        else:
            self._line.append(_SPACES.sub(" ", data.replace("\n", " ")))

    def _break(self) -> None:
        text = "".join(self._line).strip()
        self._line = []
        if text:
            self.lines.append("> " * self._quote_depth + text)

    def _blank_line(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines).strip()


def html_to_text(html: str) -> str:
    """The readable text of an HTML document, one paragraph per line."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", parser.text())
