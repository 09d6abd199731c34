#!/usr/bin/env python3
"""DSSE with Debian's securesystemslib (0.26, python3-securesystemslib) and PyNaCl, for Lineproof's
interop tests. securesystemslib 0.26 has no DSSE module, so PAE is built here, independently of
Lineproof, from the DSSE protocol text; keys, keyids, signing and verification are
securesystemslib's own (Ed25519 through PyNaCl / libsodium).

Commands (all print one JSON object on stdout):
  check                                  versions of securesystemslib and nacl
  keygen PATH                            write PATH (private) and PATH.pub with securesystemslib
  keyid PUBLIC_HEX                       {"legacy": securesystemslib's keyid, "modern": without keyid_hash_algorithms}
  pae PAYLOAD_TYPE PAYLOAD_FILE          {"pae_hex": ...}
  sign PRIVATE_KEY_FILE PAYLOAD_TYPE PAYLOAD_FILE OUT_ENVELOPE
  verify PUBLIC_KEY_FILE ENVELOPE_FILE   {"verified": bool, "keyids": [...]}; exit 1 when no signature verifies
"""
import base64
import hashlib
import json
import sys

import nacl
import securesystemslib
from securesystemslib import formats, interface, keys


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def out(obj) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "check":
        out({"securesystemslib": getattr(securesystemslib, "__version__", "?"), "nacl": nacl.__version__, "python": sys.version.split()[0]})
        return 0
    if cmd == "keygen":
        path = argv[2]
        interface._generate_and_write_ed25519_keypair(filepath=path, password=None)
        key = interface.import_ed25519_privatekey_from_file(path)
        out({"keyid": key["keyid"], "public": key["keyval"]["public"]})
        return 0
    if cmd == "keyid":
        public = argv[2]
        legacy = keys.format_metadata_to_key(
            {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": public}}
        )[0]["keyid"]
        modern_obj = {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": public}}
        modern = hashlib.sha256(formats.encode_canonical(modern_obj).encode("utf-8")).hexdigest()
        out({"legacy": legacy, "modern": modern})
        return 0
    if cmd == "pae":
        with open(argv[3], "rb") as f:
            out({"pae_hex": pae(argv[2], f.read()).hex()})
        return 0
    if cmd == "sign":
        key = interface.import_ed25519_privatekey_from_file(argv[2])
        payload_type = argv[3]
        with open(argv[4], "rb") as f:
            payload = f.read()
        sig = keys.create_signature(key, pae(payload_type, payload))
        envelope = {
            "payload": base64.b64encode(payload).decode("ascii"),
            "payloadType": payload_type,
            "signatures": [{"keyid": sig["keyid"], "sig": base64.b64encode(bytes.fromhex(sig["sig"])).decode("ascii")}],
        }
        with open(argv[5], "w", encoding="utf-8") as f:
            json.dump(envelope, f)
        out({"keyid": sig["keyid"], "sig_hex": sig["sig"]})
        return 0
    if cmd == "verify":
        key = interface.import_ed25519_publickey_from_file(argv[2])
        with open(argv[3], "r", encoding="utf-8") as f:
            envelope = json.load(f)
        payload = base64.b64decode(envelope["payload"], validate=True)
        message = pae(envelope["payloadType"], payload)
        verified = []
        for s in envelope["signatures"]:
            sig = {"keyid": key["keyid"], "sig": base64.b64decode(s["sig"], validate=True).hex()}
            try:
                if keys.verify_signature(key, sig, message):
                    verified.append(s.get("keyid", ""))
            except Exception:  # a malformed signature is simply not verified
                pass
        out({"verified": bool(verified), "keyids": verified, "key_keyid": key["keyid"]})
        return 0 if verified else 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
