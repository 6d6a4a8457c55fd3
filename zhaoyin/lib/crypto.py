"""商用密码 helpers: SM3 digests and HMAC-SM3, SM4-GCM field encryption, key derivation.

Pure Python over ``cryptography`` (which ships SM3/SM4); no Django imports.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

NONCE_BYTES = 12
TAG_BYTES = 16


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def derive_key(master_hex: str, purpose: str) -> bytes:
    """A 16-byte sub-key for one purpose, so one configured secret serves several uses."""
    master = bytes.fromhex(master_hex)
    return bytes.fromhex(hmac_sm3_hex(master, purpose.encode()))[:16]


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, associated: bytes = b"") -> bytes:
    """nonce ‖ ciphertext ‖ tag."""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if associated:
        encryptor.authenticate_additional_data(associated)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def sm4_gcm_decrypt(key: bytes, blob: bytes, associated: bytes = b"") -> bytes:
    nonce, body, tag = blob[:NONCE_BYTES], blob[NONCE_BYTES:-TAG_BYTES], blob[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if associated:
        decryptor.authenticate_additional_data(associated)
    return decryptor.update(body) + decryptor.finalize()
