"""Text printed for people is untrusted: article text, titles, labels and file names reach
the terminal, and a control character in them is an instruction to it (``ESC ] 0;`` sets the
window title, ``ESC [ 2J`` clears the screen, a newline in a file name forges a line of
kg's own, a right-to-left override reverses what follows).

:func:`safe_field` makes one value printable on one line: every control character (C0 and
C1, DEL, newlines and tabs too) and every bidirectional control becomes a visible escape
(``\\x1b``, ``\\n``, ``\\u202e``). :func:`safe_text` does the same to a whole listing but
keeps its own newlines and tabs. Machine formats (JSON, CSV, TSV, RDF) are never passed
through here: they carry the data exactly, escaped by their own rules.

>>> safe_field("Nvidia\\x1b]0;owned\\x07")
'Nvidia\\\\x1b]0;owned\\\\x07'
>>> safe_field("a.txt\\nkg: all good")
'a.txt\\\\nkg: all good'
>>> safe_text("line one\\n\\u202eevil")
'line one\\n\\\\u202eevil'
"""

from __future__ import annotations

import logging
import re

__all__ = ["safe_field", "safe_text", "SafeFormatter"]

#: Bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates
#: (U+2066-U+2069), the marks (U+200E, U+200F, U+061C); and the Unicode line and paragraph
#: separators, which some terminals and logs treat as line breaks.
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029"
_FIELD = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_field(value: object) -> str:
    """``value`` as text with no control or bidirectional character left raw (one line)."""
    text = value if isinstance(value, str) else str(value)
    return _FIELD.sub(_escape, text)


def safe_text(text: str) -> str:
    """A listing for people: like :func:`safe_field`, but its newlines and tabs are kept."""
    return _TEXT.sub(_escape, text)


def _arg(value: object) -> object:
    return value if isinstance(value, int | float) or value is None else safe_field(value)


class SafeFormatter(logging.Formatter):
    """A log formatter for a terminal: the values a message is built from (its ``args``)
    are escaped as fields, so a file name cannot add lines, and the whole message as text."""

    def format(self, record: logging.LogRecord) -> str:
        if record.args:
            args = record.args
            if isinstance(args, dict):
                record.args = {k: _arg(v) for k, v in args.items()}
            else:
                record.args = tuple(_arg(a) for a in args)
        return safe_text(super().format(record))
