"""Random UIDs and generated-name suffixes, drawn from the kernel's random source in bulk.

Why: ``uuid.uuid4()`` and ``secrets.choice`` read ``os.urandom`` on every call, and CPython lets go of the GIL
around that system call; under load the store's threads take the GIL then, and the event loop waits for it
back, which cost 11 % of the loop's time in a create benchmark. Reading 4 KiB at a time keeps the
randomness (the kernel's CSPRNG, as Go's crypto/rand) and makes the system call one in 256 UIDs.

How: one :class:`RandomPool` per process (the module's :data:`POOL`); a forked child starts with a fresh one,
so no two processes hand out the same bytes.
"""

from __future__ import annotations

import os

POOL_BYTES = 4096
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""kube's alphabet for generated names: no vowels, no 0, 1 or 3 (no words, no look-alikes)."""


class RandomPool:
    """Bytes from ``os.urandom``, read :data:`POOL_BYTES` at a time and handed out once each."""

    __slots__ = ("_buffer", "_offset")

    def __init__(self) -> None:
        self._buffer = b""
        self._offset = 0

    def take(self, count: int) -> bytes:
        if self._offset + count > len(self._buffer):
            self._buffer = os.urandom(max(POOL_BYTES, count))
            self._offset = 0
        start = self._offset
        self._offset += count
        return self._buffer[start:self._offset]

    def forget(self) -> None:
        self._buffer, self._offset = b"", 0

    def uid(self) -> str:
        """A random (version 4) UUID in its text form, as kube's uuid.NewUUID gives."""
        raw = bytearray(self.take(16))
        raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
        h = raw.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def name_suffix(self, length: int) -> str:
        """``length`` characters of :data:`NAME_ALPHABET`, each equally likely (bytes of 243 and up, the
        remainder of 256 by 27, are drawn again)."""
        limit = 256 - 256 % len(NAME_ALPHABET)
        chars: list[str] = []
        while len(chars) < length:
            chars.extend(NAME_ALPHABET[b % len(NAME_ALPHABET)] for b in self.take(length) if b < limit)
        return "".join(chars[:length])


POOL = RandomPool()
os.register_at_fork(after_in_child=POOL.forget)
