"""UIDs are version-4 UUIDs, never repeated; generated-name suffixes use kube's alphabet with every letter
about equally likely; a forked child does not hand out its parent's pooled bytes."""

from __future__ import annotations

import collections
import os
import uuid

from gitplane.server.rest.randomness import NAME_ALPHABET, POOL_BYTES, RandomPool


def test_uids_are_distinct_version_4_uuids_across_many_refills() -> None:
    pool = RandomPool()
    uids = [pool.uid() for _ in range(POOL_BYTES // 16 * 5 + 3)]
    assert len(set(uids)) == len(uids)
    parsed = [uuid.UUID(u) for u in uids]
    assert {(u.version, u.variant) for u in parsed} == {(4, uuid.RFC_4122)}
    assert all(str(u) == text for u, text in zip(parsed, uids, strict=True))


def test_name_suffixes_are_of_the_alphabet_and_unbiased() -> None:
    pool = RandomPool()
    suffixes = [pool.name_suffix(5) for _ in range(20_000)]
    assert all(len(s) == 5 and set(s) <= set(NAME_ALPHABET) for s in suffixes)
    counts = collections.Counter("".join(suffixes))
    expected = 100_000 / len(NAME_ALPHABET)
    assert set(counts) == set(NAME_ALPHABET)
    assert all(abs(n - expected) < 0.1 * expected for n in counts.values()), counts


def test_a_larger_request_than_the_pool_is_served_whole() -> None:
    assert len(RandomPool().take(POOL_BYTES * 2 + 1)) == POOL_BYTES * 2 + 1


def test_a_forked_child_draws_fresh_bytes() -> None:
    from gitplane.server.rest.randomness import POOL
    POOL.uid()  # fill the shared pool before the fork
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next UID and leave at once
        os.write(write, POOL.uid().encode())
        os._exit(0)
    os.close(write)
    child_uid = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child_uid != POOL.uid()
