"""Personal data of talents at rest: SM4-GCM ciphertext, HMAC-SM3 blind index, masked text.

The keys are derived from ``ZHAOYIN_FIELD_KEY`` per purpose, so the index key never
decrypts anything and the ciphertext key never indexes. The associated data binds a
ciphertext to its column: an ID number's ciphertext copied into the phone column does
not decrypt.
"""

from __future__ import annotations

from django.conf import settings

from zhaoyin.lib.crypto import derive_key, hmac_sm3_hex, sm4_gcm_decrypt, sm4_gcm_encrypt
from zhaoyin.lib.masking import mask_id_number, mask_phone

_ID_AD = b"talents.talent.id_number"
_PHONE_AD = b"talents.talent.phone"


def _cipher_key() -> bytes:
    return derive_key(settings.FIELD_KEY, "zhaoyin-talent-pii")


def _index_key() -> bytes:
    return derive_key(settings.FIELD_KEY, "zhaoyin-talent-blind-index")


def normalise_id(id_type: str, number: str) -> str:
    """The canonical form of an ID number: no spaces, upper case (the check 'x' is 'X')."""
    return "".join(number.split()).upper()


def id_blind_index(id_type: str, number: str) -> str:
    """The keyed SM3 index of (type, number): equal for equal documents, reveals nothing."""
    return hmac_sm3_hex(_index_key(), f"{id_type}:{normalise_id(id_type, number)}".encode())


def encrypt_id(number: str) -> bytes:
    return sm4_gcm_encrypt(_cipher_key(), number.encode(), _ID_AD)


def decrypt_id(blob: bytes | memoryview) -> str:
    return sm4_gcm_decrypt(_cipher_key(), bytes(blob), _ID_AD).decode()


def encrypt_phone(phone: str) -> bytes:
    return sm4_gcm_encrypt(_cipher_key(), phone.encode(), _PHONE_AD)


def decrypt_phone(blob: bytes | memoryview) -> str:
    return sm4_gcm_decrypt(_cipher_key(), bytes(blob), _PHONE_AD).decode()


def masked_id(number: str) -> str:
    return mask_id_number(normalise_id("", number))


def masked_phone(phone: str) -> str:
    return mask_phone(phone)


def id_fields(id_type: str, number: str) -> dict[str, object]:
    """The three stored columns of an ID number, for a create or an update."""
    canonical = normalise_id(id_type, number)
    return {
        "id_type": id_type,
        "id_number_enc": encrypt_id(canonical),
        "id_index": id_blind_index(id_type, canonical),
        "id_masked": masked_id(canonical),
    }


def phone_fields(phone: str) -> dict[str, object]:
    """The two stored columns of a phone number (both empty for no phone)."""
    phone = phone.strip()
    if not phone:
        return {"phone_enc": None, "phone_masked": ""}
    return {"phone_enc": encrypt_phone(phone), "phone_masked": masked_phone(phone)}
