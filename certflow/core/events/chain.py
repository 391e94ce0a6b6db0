"""Pure hashing and checking of the event chain (no ORM)."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "reason",
    "prev_hash",
)


def to_json_value(value):
    """What a JSONField gives back after a round trip, so the stored row hashes as written."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(fields: Mapping) -> str:
    body = {name: fields[name] for name in HASHED_FIELDS}
    body["occurred_at"] = _canonical_time(body["occurred_at"])
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    zh: str
    en: str

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else "chain head"
        return f"{where}: {self.zh} / {self.en}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_chain(rows: Iterable[Mapping], head_seq: int, head_hash: str) -> ChainReport:
    """Walk rows in seq order; report the first entry that does not follow from the one before."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(
                checked,
                ChainProblem(
                    seq,
                    f"序号不连续：应为 #{expected_seq}（有记录被删除或插入）",
                    f"sequence gap: expected #{expected_seq} (an entry was removed or inserted)",
                ),
            )
        if row["prev_hash"] != expected_prev:
            return ChainReport(
                checked,
                ChainProblem(
                    seq,
                    "与前一条记录的链接断开（记录被删除、插入或重排）",
                    "link to the previous entry is broken (an entry was removed, inserted or reordered)",
                ),
            )
        if entry_hash(row) != row["hash"]:
            return ChainReport(
                checked,
                ChainProblem(
                    seq, "记录内容与其哈希不符（记录被修改）", "content does not match its hash (the entry was edited)"
                ),
            )
        expected_prev = row["hash"]
        expected_seq += 1
        checked += 1
    if checked != head_seq or expected_prev != head_hash:
        return ChainReport(
            checked,
            ChainProblem(
                None,
                f"链头记录为 #{head_seq}，实际最后一条为 #{checked}（末尾记录被删除或链头被改）",
                f"the chain head says #{head_seq} but the last entry is #{checked} (entries removed from the end, "
                "or the head was altered)",
            ),
        )
    return ChainReport(checked, None)


@dataclass(frozen=True)
class Anchor:
    """A (seq, hash) pair copied out of the application's reach: the chain must still contain it."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> "Anchor":
        """`SEQ:HASH` as printed by verify-log, or one JSON line of an anchor file."""
        text = text.strip()
        try:
            if text.startswith("{"):
                data = json.loads(text)
                seq, digest = int(data["seq"]), str(data["hash"])
            else:
                seq_text, digest = text.split(":", 1)
                seq = int(seq_text)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(
                f"锚点格式应为 序号:哈希 / an anchor looks like SEQ:HASH (64 hex digits), got {text[:80]!r}"
            ) from exc
        digest = digest.strip().lower()
        if seq < 0 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(
                f"锚点格式应为 序号:哈希 / an anchor looks like SEQ:HASH (64 hex digits), got {text[:80]!r}"
            )
        return cls(seq, digest)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def check_anchors(anchors: Iterable[Anchor], stored: Mapping[int, str]) -> ChainProblem | None:
    """Each anchor's entry must still be in the log with the same hash.

    The chain alone cannot tell a log cut at its end, or rewritten from some entry on with every later
    hash recomputed, from an honest one: only a copy of an earlier head kept elsewhere can.
    `stored` maps seq → hash for (at least) the anchored sequence numbers.
    """
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq == 0:
            if anchor.hash != GENESIS_HASH:
                return ChainProblem(None, "创世锚点的哈希不对", "the anchor for the empty log has the wrong hash")
            continue
        found = stored.get(anchor.seq)
        if found is None:
            return ChainProblem(
                anchor.seq,
                "外部保存的锚点记录已不在日志中（末尾记录被删除）",
                "an entry recorded in an external anchor is gone (entries were removed from the end)",
            )
        if found != anchor.hash:
            return ChainProblem(
                anchor.seq,
                "记录的哈希与外部保存的锚点不符（日志自此处起被改写并重新计算哈希）",
                "the entry's hash differs from the external anchor (the log was rewritten from here on "
                "and its hashes recomputed)",
            )
    return None
