"""Ed25519 signatures over a certificate's public claims, so a printed copy can be checked offline.

The payload is compact JSON with sorted keys (UTF-8, no spaces), base64url without padding; the
signature is the raw 64 bytes, base64url. The payload names the key that signed it (`k`, a short
hash of the public key), so after a key rotation old certificates still verify against the retired
public keys listed in settings (decisions C3).

The private key comes from CERTFLOW_CERTIFICATE_SIGNING_KEY (base64url of the 32-byte seed) or from
`<CERTFLOW_VAR_DIR>/certificate_signing_key`, written on first use with mode 0600 like var/secret_key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from certflow.core.env import ConfigurationError

PAYLOAD_VERSION = 1
KEY_FILE_NAME = "certificate_signing_key"


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url: only the URL-safe alphabet, padding optional; ValueError otherwise."""
    text = text.strip()
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" for c in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 8 hex characters of the SHA-256 of the raw public key: short enough for the QR code,
    enough to tell a handful of keys apart (it selects a key; it is not what makes a copy authentic)."""
    return hashlib.sha256(raw_public_bytes(public_key)).hexdigest()[:8]


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(
        "ascii"
    )


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key given as PEM or as base64url of the 32 raw bytes."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not an Ed25519 key")
            return key
        return Ed25519PublicKey.from_public_bytes(b64url_decode(text))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not an Ed25519 public key: {exc}") from None


def _private_from_seed(seed_text: str, origin: str) -> Ed25519PrivateKey:
    try:
        seed = b64url_decode(seed_text)
        if len(seed) != 32:
            raise ValueError("wrong length")
        return Ed25519PrivateKey.from_private_bytes(seed)
    except ValueError:
        raise ConfigurationError(
            f"{origin} must be the base64url encoding of a 32-byte Ed25519 seed "
            "(leave it unset to let certflow create one in CERTFLOW_VAR_DIR)"
        ) from None


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / KEY_FILE_NAME


def new_seed() -> str:
    key = Ed25519PrivateKey.generate()
    return b64url_encode(
        key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    )


def signing_key(*, create: bool = True) -> Ed25519PrivateKey | None:
    """The CB's current private key: from the setting, else the key file (created on first use)."""
    configured = getattr(settings, "CERTFLOW_CERTIFICATE_SIGNING_KEY", "") or ""
    if configured:
        return _private_from_seed(configured, "CERTFLOW_CERTIFICATE_SIGNING_KEY")
    path = _key_file()
    if path.exists():
        return _private_from_seed(path.read_text().strip(), str(path))
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting together cannot each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _private_from_seed(path.read_text().strip(), str(path))
    with os.fdopen(fd, "w") as handle:
        handle.write(new_seed() + "\n")
    return _private_from_seed(path.read_text().strip(), str(path))


def retired_public_keys() -> list[Ed25519PublicKey]:
    keys = []
    for text in getattr(settings, "CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS", []) or []:
        try:
            keys.append(load_public_key(text))
        except ValueError as exc:
            raise ConfigurationError(f"CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS: {exc}") from None
    return keys


def verification_keys(
    *, create: bool = False, extra: list[Ed25519PublicKey] | None = None
) -> dict[str, Ed25519PublicKey]:
    """Every public key a signature may be checked against, by key id: current, retired, and `extra`."""
    keys: dict[str, Ed25519PublicKey] = {}
    current = signing_key(create=create)
    for key in [current.public_key()] if current else []:
        keys[key_id(key)] = key
    for key in retired_public_keys() + list(extra or []):
        keys.setdefault(key_id(key), key)
    return keys


def current_public_key() -> Ed25519PublicKey:
    return signing_key(create=True).public_key()


# --- payload ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claims:
    """What a certificate says publicly: what its signature vouches for."""

    number: str
    enterprise_name: str
    uscc: str
    scope: str
    grade: str
    scheme: str
    issued_on: date
    expires_on: date
    key_id: str = ""

    def as_payload_dict(self) -> dict:
        return {
            "v": PAYLOAD_VERSION,
            "n": self.number,
            "e": self.enterprise_name,
            "u": self.uscc,
            "sc": self.scope,
            "g": self.grade,
            "s": self.scheme,
            "i": self.issued_on.isoformat(),
            "x": self.expires_on.isoformat(),
            "k": self.key_id,
        }

    @classmethod
    def from_payload_dict(cls, data: dict) -> Claims:
        if not isinstance(data, dict) or data.get("v") != PAYLOAD_VERSION:
            raise ValueError("unknown payload version")
        try:
            return cls(
                number=str(data["n"]),
                enterprise_name=str(data["e"]),
                uscc=str(data["u"]),
                scope=str(data["sc"]),
                grade=str(data["g"]),
                scheme=str(data["s"]),
                issued_on=date.fromisoformat(data["i"]),
                expires_on=date.fromisoformat(data["x"]),
                key_id=str(data["k"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"payload is missing or has a malformed field: {exc}") from None


def canonical_payload(claims: Claims) -> bytes:
    return json.dumps(claims.as_payload_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


@dataclass(frozen=True)
class Signed:
    payload: str  # base64url of the canonical JSON
    signature: str  # base64url of the 64-byte Ed25519 signature
    key_id: str


def sign(claims: Claims, private_key: Ed25519PrivateKey | None = None) -> Signed:
    private_key = private_key or signing_key(create=True)
    kid = key_id(private_key.public_key())
    payload = canonical_payload(Claims(**{**claims.__dict__, "key_id": kid}))
    return Signed(payload=b64url_encode(payload), signature=b64url_encode(private_key.sign(payload)), key_id=kid)


def verify(payload: bytes, signature: bytes, public_key: Ed25519PublicKey) -> bool:
    """True when `signature` is `public_key`'s signature over exactly these payload bytes."""
    try:
        public_key.verify(signature, payload)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class Verification:
    authentic: bool
    claims: Claims | None
    key_id: str
    problem_zh: str = ""
    problem_en: str = ""


def verify_encoded(payload_b64: str, signature_b64: str, keys: dict[str, Ed25519PublicKey]) -> Verification:
    """Check a payload and signature as carried by the QR code or the PDF, against known keys."""
    try:
        payload = b64url_decode(payload_b64)
        signature = b64url_decode(signature_b64)
        claims = Claims.from_payload_dict(json.loads(payload.decode("utf-8")))
    except (ValueError, UnicodeDecodeError):
        return Verification(
            False, None, "", "数据无法解析（可能不完整或被改动）", "the data cannot be read (incomplete or altered)"
        )
    key = keys.get(claims.key_id)
    if key is None:
        return Verification(
            False, claims, claims.key_id, f"未知的签名密钥 {claims.key_id}", f"unknown signing key {claims.key_id}"
        )
    if not verify(payload, signature, key):
        return Verification(
            False,
            claims,
            claims.key_id,
            "签名与证书内容不符：证书内容或签名已被改动",
            "the signature does not match: the data or the signature was altered",
        )
    return Verification(True, claims, claims.key_id)
