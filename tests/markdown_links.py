"""What a reader can click in the repository's Markdown, and where it leads: links, images,
autolinks and bare URLs outside code, heading anchors as GitHub makes them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

ALLOWED_HOSTS = ("slack.com", "discord.com")

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>]+)>")
HREF = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", re.I)
BARE = re.compile(r"(?<![\w/(<])(?:https?://|www\.)[^\s<>)\]]+")


def prose(text: str) -> str:
    """The text with code blocks and code spans blanked out: nothing in code is a link."""
    text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return CODE_SPAN.sub(" ", text)


def targets(text: str) -> list[str]:
    """Every link target a reader could follow, in the order they appear."""
    body = prose(text)
    found = [m.group(1) for m in INLINE.finditer(body)]
    found += [m.group(1) for m in REFERENCE.finditer(body)]
    found += [m.group(1) for m in AUTOLINK.finditer(body)]
    found += [m.group(1) for m in HREF.finditer(body)]
    rest = AUTOLINK.sub(" ", REFERENCE.sub(" ", INLINE.sub(" ", body)))
    found += [m.group(0).rstrip(".,;:!?") for m in BARE.finditer(rest)]
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text, lower case, without punctuation or symbols
    (a no-break space is dropped too), each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    kept = []
    for ch in text.strip().lower():
        if ch == " ":
            kept.append("-")
        elif ch in "-_" or unicodedata.category(ch)[0] in "LNM":
            kept.append(ch)
    return "".join(kept)


def anchors(text: str) -> set[str]:
    """The anchors of a Markdown file's headings (a repeated heading gets -1, -2, …)."""
    seen: dict[str, int] = {}
    found = set()
    for line in prose(text).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


@dataclass(frozen=True)
class Problem:
    file: str
    target: str
    why: str


def check(path: Path, root: Path) -> list[Problem]:
    """What is wrong with the links of one Markdown file of the repository at `root`."""
    problems: list[Problem] = []
    name = str(path.relative_to(root))
    for target in targets(path.read_text("utf-8")):
        parts = urlsplit(target)
        if target.startswith("www.") or parts.scheme or parts.netloc:
            host = (parts.hostname or target.split("/")[0]).lower()
            inside = any(host == h or host.endswith("." + h) for h in ALLOWED_HOSTS)
            if parts.scheme != "https" or not inside:
                problems.append(Problem(name, target, "outside the repository"))
            continue
        where = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        if not where.is_relative_to(root.resolve()):
            problems.append(Problem(name, target, "leaves the repository"))
            continue
        if not where.exists():
            problems.append(Problem(name, target, "no such file"))
            continue
        headings = anchors(where.read_text("utf-8")) if where.suffix == ".md" else set()
        if parts.fragment and where.suffix == ".md" and unquote(parts.fragment) not in headings:
            problems.append(Problem(name, target, "no such heading"))
    return problems
