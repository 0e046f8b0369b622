"""What counts as a secret in text, and how it is blanked out before text is logged.

Shared by the console's log file and the registry's request log: both must never
hold a token. A registry token looks like ``stw_`` and 43 URL-safe characters
(``stewardship_registry.tokens``); a token from elsewhere is caught where it
follows ``Bearer``, ``Authorization``, or a ``token=`` / ``"token": "..."`` pair,
as a URL's password, or by its value when the caller knows it (the token in use
for a sync).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

REDACTED = "[redacted]"

#: Shortest known secret blanked out by its value; shorter ones would blank ordinary words.
MIN_SECRET_LENGTH = 6


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Compiled at the first line logged, not at start-up."""
    return (
        # A registry token anywhere, whatever surrounds it.
        (re.compile(r"stw_[A-Za-z0-9_\-]{6,}"), REDACTED),
        # An HTTP authorisation value: "Authorization: Bearer abc", "'authorization': 'Token abc'".
        (
            re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?)[^\"'\r\n,;}]+"),
            r"\g<1>" + REDACTED,
        ),
        # A credential after its scheme, wherever the header name was left behind.
        (re.compile(r"(?i)(\b(?:bearer|basic)\s+)[^\s\"',;}]+"), r"\g<1>" + REDACTED),
        # The password in a URL: https://user:secret@host/.
        (
            re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^/\s:@]+:)[^@\s/]+@"),
            r"\g<1>" + REDACTED + "@",
        ),
        # key=value and JSON "key": "value" pairs whose key names a secret.
        (
            re.compile(
                r"(?i)(\b(?:token|access_token|refresh_token|password|passwd|secret|api[_-]?key)"
                r"(?:=|[\"']\s*:\s*[\"']))[^\s\"'&,;}]+"
            ),
            r"\g<1>" + REDACTED,
        ),
    )


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret and anything shaped like a credential blanked out."""
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len)[::-1]:
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _patterns():
        text = pattern.sub(replacement, text)
    return text
