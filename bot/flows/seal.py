"""The private line's way back to an anonymous writer, split so that no one place holds it.

A thread keeps a random one-time pad (`LineThread.pad`, in the database). The writer's id,
XORed with the pad and authenticated with a key from the same pad, becomes a token that only
rides on the button under the facilitators' copy of the message (on the platform, never in
the database: the outbox row that carried it is deleted once delivered). The database alone
(pads) or the platform alone (tokens) says nothing about who wrote; the bot, handed the token
back by a facilitator's click, can answer the writer without anyone learning who they are.
Closing the intervention empties the pads: from then on the tokens name nobody, for ever.

A second value, the capability, rides on the writer's own copy of each answer: it lets them
continue their thread, and nobody else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

ID_BYTES = 24  # room for Slack ids (U…, ~11) and Discord snowflakes (<= 20 digits)
PAD_BYTES = ID_BYTES + 32  # the XOR part, then the authentication key
MAC_BYTES = 6


def new_pad(entropy: bytes) -> str:
    """A thread's pad from fresh randomness the runner handed the engine."""
    if len(entropy) < PAD_BYTES:
        raise ValueError("the private line needs fresh randomness")
    return entropy[:PAD_BYTES].hex()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, label: bytes, raw: bytes) -> bytes:
    return hmac.new(key, label + raw, hashlib.sha256).digest()[:MAC_BYTES]


def fits(user: str) -> bool:
    return 0 < len(user.encode()) <= ID_BYTES


def seal(user: str, pad_hex: str) -> str:
    """The token naming `user` to whoever also holds the pad (40 characters, URL-safe)."""
    pad = bytes.fromhex(pad_hex)
    raw = user.encode().ljust(ID_BYTES, b"\0")
    hidden = bytes(a ^ b for a, b in zip(raw, pad[:ID_BYTES], strict=True))
    return _b64(hidden + _mac(pad[ID_BYTES:], b"to:", raw))


def unseal(token: str, pad_hex: str) -> str | None:
    """The writer a token names, or None (a forged or damaged token, or a closed thread)."""
    if not pad_hex:
        return None
    try:
        data = _unb64(token)
    except ValueError:
        return None
    if len(data) != ID_BYTES + MAC_BYTES:
        return None
    pad = bytes.fromhex(pad_hex)
    raw = bytes(a ^ b for a, b in zip(data[:ID_BYTES], pad[:ID_BYTES], strict=True))
    if not hmac.compare_digest(data[ID_BYTES:], _mac(pad[ID_BYTES:], b"to:", raw)):
        return None
    user = raw.rstrip(b"\0")
    try:
        return user.decode() or None
    except UnicodeDecodeError:
        return None


def capability(user: str, pad_hex: str) -> str:
    """What lets `user`, and only them, add to their own thread (8 characters)."""
    pad = bytes.fromhex(pad_hex)
    raw = user.encode().ljust(ID_BYTES, b"\0")
    return _b64(_mac(pad[ID_BYTES:], b"from:", raw))


def holds(user: str, pad_hex: str, cap: str) -> bool:
    return bool(pad_hex) and hmac.compare_digest(cap.encode(), capability(user, pad_hex).encode())
