"""Every single-character corruption of a valid token is rejected with InvalidToken.

Deterministic (fixed seed): no other exception type may escape, and no mutation may verify.
"""

from __future__ import annotations

import random
import string

import pytest

from auth.errors import InvalidToken
from auth.keys import KeyRing
from auth.tokens import TokenIssuer, TokenVerifier

ALPHABET = string.ascii_letters + string.digits + "-_"
HOSTILE = ["=", "+", "/", ".", " ", "é", "\x00", "\n"]


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
def test_single_character_mutations(algorithm: str) -> None:
    ring = KeyRing.ephemeral(algorithm)
    token = TokenIssuer(ring, issuer="iss", audience="aud").issue("subject", roles=["user"], session_id="s")
    verifier = TokenVerifier(ring, issuer="iss", audience="aud")
    assert verifier.verify(token).subject == "subject"

    rng = random.Random(f"fitgraph-{algorithm}")
    rejected = 0
    for index, original in enumerate(token):
        for replacement in rng.sample(ALPHABET, 2) + [rng.choice(HOSTILE)]:
            if replacement == original:
                continue
            mutated = token[:index] + replacement + token[index + 1 :]
            with pytest.raises(InvalidToken):
                verifier.verify(mutated)
            rejected += 1
    assert rejected >= 2 * len(token)


def test_truncations_and_extensions() -> None:
    ring = KeyRing.ephemeral()
    token = TokenIssuer(ring, issuer="iss", audience="aud").issue("subject", roles=["user"])
    verifier = TokenVerifier(ring, issuer="iss", audience="aud")
    for cut in range(len(token)):
        with pytest.raises(InvalidToken):
            verifier.verify(token[:cut])
    for suffix in ("A", "AA", ".", "=", " "):
        with pytest.raises(InvalidToken):
            verifier.verify(token + suffix)
