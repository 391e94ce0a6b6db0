"""Stratified random sampling of the customer list (decisions V4, V5). Pure: no ORM.

The frame is the customer list in a fixed order (category, phone); its canonical serialisation
(one JSON line per customer) is hashed with SHA-256. The draw depends only on the seed, the frame
hash and the stratum sizes, so repeating it on the same frame gives the same sample, and any change
of the frame changes the hash.
"""

import hashlib
import json
import random
import secrets
from collections.abc import Iterable, Mapping
from fractions import Fraction

FRAME_FIELDS = ("id", "category", "phone", "name", "email", "order_id", "order_date", "delivery_date")


def new_seed() -> str:
    return secrets.token_hex(16)


def frame_line(row: Mapping) -> bytes:
    values = [row[f] if not hasattr(row[f], "isoformat") else row[f].isoformat() for f in FRAME_FIELDS]
    values = ["" if v is None else v for v in values]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def frame_sha256(rows: Iterable[Mapping]) -> str:
    """SHA-256 of the frame; `rows` must come in frame order (category, phone)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(frame_line(row))
    return digest.hexdigest()


def allocate(strata: Mapping[str, int], sample_size: int) -> dict[str, int]:
    """Proportional allocation with the largest-remainder rule.

    Each stratum first gets the whole part of n·N_h/N; the units left over go to the largest
    fractional parts (ties: the larger stratum, then the code). Then every non-empty stratum that
    got none takes one from the stratum with the most, as long as that one keeps at least one, so
    small categories are heard when the sample allows it.
    """
    population = sum(strata.values())
    if sample_size > population or sample_size < 0:
        raise ValueError("sample size must be between 0 and the population")
    if population == 0:
        return {code: 0 for code in strata}
    quotas = {code: Fraction(sample_size * size, population) for code, size in strata.items()}
    result = {code: int(q) for code, q in quotas.items()}
    left = sample_size - sum(result.values())
    order = sorted(strata, key=lambda c: (-(quotas[c] - int(quotas[c])), -strata[c], c))
    for code in order[:left]:
        result[code] += 1
    for code in sorted(strata, key=lambda c: (strata[c], c)):
        if strata[code] and not result[code]:
            donor = max(sorted(result), key=lambda c: result[c])
            if result[donor] <= 1:
                break
            result[donor] -= 1
            result[code] += 1
    return result


def draw_positions(seed: str, frame_hash: str, strata: Mapping[str, int], allocation: Mapping[str, int]) -> dict:
    """stratum → positions (0-based, within the stratum's frame order) in draw order."""
    picked = {}
    for code in sorted(strata):
        rng = random.Random(f"{seed}:{frame_hash}:{code}")
        picked[code] = rng.sample(range(strata[code]), allocation.get(code, 0))
    return picked
