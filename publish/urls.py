"""What counts as a real link: an http(s) URL with a well-formed host, or a mail address.

Every other target (a placeholder `#`, a relative path, `javascript:`, a host such as
`[^^]` or `ex..ample.org`) is no link: the normalizer and the model keep its words only,
and no writer ever emits it, so no reader and no EPUB checker meets a broken address.
"""

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
MAX_HOST = 253


def split_url(url: str) -> SplitResult | None:
    """The parts of a URL, or None when it cannot be parsed (an unclosed `[` in the host)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return None
    return parts


def is_real_url(url: str) -> bool:
    """An absolute http(s) URL with a well-formed host, or a mailto address."""
    parts = split_url(url.strip())
    if parts is None:
        return False
    if parts.scheme == "mailto":
        return "@" in parts.path
    return parts.scheme in ("http", "https") and is_host(parts)


def is_host(parts: SplitResult) -> bool:
    """A DNS name (international names too), an IPv4 address or a bracketed IPv6 address."""
    host = parts.hostname
    if not host:
        return False
    if parts.netloc.rsplit("@", 1)[-1].startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return len(ascii_host) <= MAX_HOST and all(LABEL.fullmatch(label) for label in labels)


def host_name(url: str) -> str:
    """'www.example.org/x' -> 'example.org'; empty for a URL that cannot be parsed."""
    parts = split_url(url)
    return parts.netloc.removeprefix("www.") if parts else ""
