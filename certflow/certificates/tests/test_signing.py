"""Signatures: one changed byte fails, another key fails, a retired key still verifies."""

import json
import os
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certflow.certificates import signing
from certflow.core.env import ConfigurationError

CLAIMS = signing.Claims(
    number="OLS-GZ0056-2026-00001",
    enterprise_name="甲定制家居有限公司",
    uscc="914403000000000010",
    scope="定制家具；服务环节：方案设计",
    grade="四星",
    scheme="CTS OLS/GZ-0056-2025 A/0",
    issued_on=date(2026, 3, 2),
    expires_on=date(2029, 3, 2),
)


def flip(text: str, index: int) -> str:
    """The same base64url text with one byte of what it encodes changed."""
    raw = bytearray(signing.b64url_decode(text))
    raw[index] ^= 0x01
    return signing.b64url_encode(bytes(raw))


def keys_for(*private_keys):
    return {signing.key_id(k.public_key()): k.public_key() for k in private_keys}


def test_a_signed_payload_verifies_and_carries_the_claims():
    key = Ed25519PrivateKey.generate()
    signed = signing.sign(CLAIMS, key)
    result = signing.verify_encoded(signed.payload, signed.signature, keys_for(key))
    assert result.authentic
    assert result.claims.enterprise_name == "甲定制家居有限公司"
    assert result.claims.key_id == signed.key_id == signing.key_id(key.public_key())


def test_the_payload_is_canonical_compact_json_with_sorted_keys():
    payload = signing.canonical_payload(CLAIMS).decode("utf-8")
    assert payload.startswith('{"e":"甲定制家居有限公司","g":"四星","i":"2026-03-02"')
    assert " " not in payload.replace("CTS OLS", "").replace(" A/0", "")
    assert json.loads(payload)["x"] == "2029-03-02"


@pytest.mark.parametrize("index", [0, 5, 20, 40, -1])
def test_a_single_changed_byte_in_the_payload_fails(index):
    key = Ed25519PrivateKey.generate()
    signed = signing.sign(CLAIMS, key)
    raw = signing.b64url_decode(signed.payload)
    result = signing.verify_encoded(flip(signed.payload, index % len(raw)), signed.signature, keys_for(key))
    assert not result.authentic


@pytest.mark.parametrize("index", [0, 31, 32, 63])
def test_a_single_changed_byte_in_the_signature_fails(index):
    key = Ed25519PrivateKey.generate()
    signed = signing.sign(CLAIMS, key)
    result = signing.verify_encoded(signed.payload, flip(signed.signature, index), keys_for(key))
    assert not result.authentic
    assert "改动" in result.problem_zh


def test_verify_on_raw_bytes_rejects_a_changed_byte():
    key = Ed25519PrivateKey.generate()
    payload = signing.canonical_payload(CLAIMS)
    signature = key.sign(payload)
    assert signing.verify(payload, signature, key.public_key())
    changed = bytearray(payload)
    changed[10] ^= 0x20
    assert not signing.verify(bytes(changed), signature, key.public_key())


def test_a_signature_by_another_key_with_the_same_key_id_fails():
    real, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    forged = signing.sign(CLAIMS, forger)
    # The forger claims the real key's id; the real key does not accept the forger's signature.
    data = json.loads(signing.b64url_decode(forged.payload))
    data["k"] = signing.key_id(real.public_key())
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    signature = signing.b64url_encode(forger.sign(payload))
    result = signing.verify_encoded(signing.b64url_encode(payload), signature, keys_for(real))
    assert not result.authentic


def test_an_unknown_key_is_named():
    key = Ed25519PrivateKey.generate()
    signed = signing.sign(CLAIMS, key)
    result = signing.verify_encoded(signed.payload, signed.signature, keys_for(Ed25519PrivateKey.generate()))
    assert not result.authentic
    assert signed.key_id in result.problem_en


@pytest.mark.parametrize("payload", ["", "%%%", "bm90IGpzb24", signing.b64url_encode(b'{"v":9}')])
def test_garbage_is_not_authentic_and_does_not_raise(payload):
    result = signing.verify_encoded(payload, "AAAA", {})
    assert not result.authentic
    assert result.claims is None


def test_after_rotation_the_retired_key_still_verifies(settings):
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    signed_before = signing.sign(CLAIMS, old)
    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = signing.b64url_encode(new.private_bytes_raw())
    settings.CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS = [signing.public_key_pem(old.public_key())]
    keys = signing.verification_keys()
    assert set(keys) == {signing.key_id(old.public_key()), signing.key_id(new.public_key())}
    assert signing.verify_encoded(signed_before.payload, signed_before.signature, keys).authentic
    assert signing.sign(CLAIMS).key_id == signing.key_id(new.public_key())
    settings.CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS = []
    assert not signing.verify_encoded(
        signed_before.payload, signed_before.signature, signing.verification_keys()
    ).authentic


def test_the_key_file_is_created_once_with_owner_only_permissions(settings, tmp_path):
    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = ""
    settings.VAR_DIR = tmp_path
    assert signing.signing_key(create=False) is None
    first = signing.signing_key()
    path = tmp_path / signing.KEY_FILE_NAME
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert signing.key_id(signing.signing_key().public_key()) == signing.key_id(first.public_key())


def test_a_malformed_configured_key_is_a_configuration_error(settings):
    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = "too-short"
    with pytest.raises(ConfigurationError) as exc:
        signing.signing_key()
    assert "CERTFLOW_CERTIFICATE_SIGNING_KEY" in str(exc.value)


def test_public_keys_load_from_pem_or_raw_base64url():
    key = Ed25519PrivateKey.generate().public_key()
    raw = signing.b64url_encode(signing.raw_public_bytes(key))
    assert signing.key_id(signing.load_public_key(raw)) == signing.key_id(key)
    assert signing.key_id(signing.load_public_key(signing.public_key_pem(key))) == signing.key_id(key)
    with pytest.raises(ValueError):
        signing.load_public_key("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")
