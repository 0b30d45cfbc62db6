"""WeChat's request signatures and safe-mode (AES) message encryption, written out from the protocol.

Why not wechatpy: its 1.8 line is synchronous, untyped and pulls in ``requests``; what the channel needs from it is
these few functions, which the protocol fixes exactly (WeChat's "message encryption technical plan"):

* ``signature`` = hex SHA-1 of the token, ``timestamp`` and ``nonce`` sorted as strings and joined (server
  verification and every plain-mode post); ``msg_signature`` is the same over four strings, the fourth being the
  ``Encrypt`` field (safe mode, both directions).
* AESKey = Base64-decode(EncodingAESKey + "="): 43 characters give 32 bytes. AES-256-CBC, the IV is the key's
  first 16 bytes, PKCS#7 padding to a multiple of **32** bytes (not AES's 16).
* plaintext = 16 random bytes + the message length (4 bytes, network order) + the message (UTF-8 XML) + the
  AppID; the ciphertext travels Base64-encoded.

Comparisons of signatures are constant-time (``hmac.compare_digest``); errors never carry the text they refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32
"""WeChat pads to 32-byte blocks (its K), a multiple of AES's 16."""
AES_KEY_FORMAT = re.compile(r"[A-Za-z0-9]{43}")


class CryptoError(ValueError):
    """A message that does not decrypt, pad or parse as WeChat encrypts; never holds the message."""


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 (hex) of the parts sorted as strings and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(given: str, *parts: str) -> bool:
    """``given`` is the signature of ``parts``; compared in constant time, case-insensitive hex."""
    return hmac.compare_digest(given.strip().lower().encode("ascii", "replace"), sign(*parts).encode("ascii"))


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte key from the 43-character EncodingAESKey shown on the WeChat platform."""
    if not AES_KEY_FORMAT.fullmatch(encoding_aes_key):
        raise CryptoError("the EncodingAESKey must be 43 letters and digits")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error:
        raise CryptoError("the EncodingAESKey is not Base64") from None
    if len(key) != 32:
        raise CryptoError("the EncodingAESKey does not decode to 32 bytes")
    return key


class MessageCipher:
    """Encrypts replies and decrypts posts of one official account (its key and AppID)."""

    def __init__(self, encoding_aes_key: str, app_id: str, *, random: Callable[[int], bytes] = os.urandom) -> None:
        self._key = aes_key(encoding_aes_key)
        self._app_id = app_id.encode("utf-8")
        self._random = random

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str) -> str:
        body = message.encode("utf-8")
        plain = self._random(16) + struct.pack(">I", len(body)) + body + self._app_id
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The message inside ``encrypted``; raises ``CryptoError`` unless it is well-formed and for this AppID."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("the Encrypt field is not Base64") from None
        if not raw or len(raw) % 16:
            raise CryptoError("the Encrypt field is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(raw) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("the Encrypt field is not padded as WeChat pads")
        content = plain[16:-pad]
        if len(content) < 4:
            raise CryptoError("the Encrypt field is too short")
        (length,) = struct.unpack(">I", content[:4])
        body, app_id = content[4:4 + length], content[4 + length:]
        if len(body) != length:
            raise CryptoError("the Encrypt field's length does not match")
        if not hmac.compare_digest(app_id, self._app_id):
            raise CryptoError("the message is for another AppID")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise CryptoError("the message is not UTF-8") from None
