"""An independent model_signing key-signature peer for test/interop/oms-peers.test.ts.

It follows OpenSSF model_signing's own code for EC-key signatures (sigstore/model-transparency,
src/model_signing/_signing/sign_ec_key.py, sign_sigstore_pb.py and signing.py) on Python
`cryptography` (python3-cryptography, on OpenSSL): the key hint is the SHA-256 of
`public_bytes(PEM, SubjectPublicKeyInfo)`, the signature is `private_key.sign(PAE(payload),
ECDSA(SHA-256/384/512 by key size))`, the bundle is a Sigstore bundle v0.3 with
`publicKey.hint`, `tlogEntries: []` and `keyid: ""`; verification checks the media type, the hint,
the signature, the payload type, the statement type, the predicate type, the root digest over the
resources, then hashes every file of the model (method `files`, SHA-256) and compares.

    python3 oms_peer.py verify BUNDLE PUBKEY MODEL_DIR [IGNORE ...]   -> exit 0 verified, 1 not
    python3 oms_peer.py sign PRIVKEY MODEL_DIR OUT [IGNORE ...]       -> writes OUT
    python3 oms_peer.py hint PUBKEY                                   -> prints the hint
"""

import base64
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"


def pae(payload: bytes) -> bytes:
    return b"DSSEv1 %d %s %d " % (len(PAYLOAD_TYPE), PAYLOAD_TYPE.encode(), len(payload)) + payload


def key_hash(key) -> hashes.HashAlgorithm:
    return {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[key.curve.key_size]


def hint_of(public_key) -> str:
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(pem).hexdigest()


def load_public(path):
    data = open(path, "rb").read()
    data = data[data.index(b"-----BEGIN"):]
    return serialization.load_pem_public_key(data)


def model_files(model_dir, ignore):
    out = {}
    for root, dirs, files in os.walk(model_dir):
        for name in files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, model_dir).replace(os.sep, "/")
            if any(rel == p or rel.startswith(p + "/") for p in ignore):
                continue
            with open(full, "rb") as f:
                out[rel] = hashlib.sha256(f.read()).hexdigest()
    return out


def statement(model_dir, ignore):
    files = model_files(model_dir, ignore)
    resources = [{"name": n, "algorithm": "sha256", "digest": files[n]} for n in sorted(files, key=lambda p: p.split("/"))]
    root = hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in resources)).hexdigest()
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": os.path.basename(os.path.abspath(model_dir)), "digest": {"sha256": root}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": False, "ignore_paths": sorted(ignore)},
            "resources": resources,
        },
    }


def fail(msg):
    print(json.dumps({"ok": False, "error": msg}))
    sys.exit(1)


def verify(bundle_path, pub_path, model_dir, ignore):
    bundle = json.loads(open(bundle_path, "rb").read().decode("utf-8"))
    if bundle.get("mediaType") != MEDIA_TYPE:
        fail("media type")
    key = load_public(pub_path)
    hint = bundle["verificationMaterial"].get("publicKey", {}).get("hint")
    if hint and hint != hint_of(key):
        fail("Key mismatch: hint")
    env = bundle["dsseEnvelope"]
    payload = base64.b64decode(env["payload"], validate=True)
    sig = base64.b64decode(env["signatures"][0]["sig"], validate=True)
    try:
        key.verify(sig, pae(payload), ec.ECDSA(key_hash(key)))
    except InvalidSignature:
        fail("InvalidSignature")
    if env["payloadType"] != PAYLOAD_TYPE:
        fail("payload type")
    st = json.loads(payload)
    if st["_type"] != STATEMENT_TYPE or st["predicateType"] != PREDICATE_TYPE or len(st["subject"]) != 1:
        fail("statement")
    resources = st["predicate"]["resources"]
    root = hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in resources)).hexdigest()
    if root != st["subject"][0]["digest"]["sha256"]:
        fail("Manifest is inconsistent")
    if st["predicate"]["serialization"]["method"] != "files":
        fail("this peer hashes by file only")
    ignore = list(ignore) + list(st["predicate"]["serialization"].get("ignore_paths", []))
    signed = {r["name"]: r["digest"] for r in resources}
    actual = model_files(model_dir, ignore)
    if signed != actual:
        fail("Signature mismatch: %s" % sorted(set(signed.items()) ^ set(actual.items())))
    print(json.dumps({"ok": True, "resources": len(resources), "root": root}))


def sign(priv_path, model_dir, out_path, ignore):
    key = serialization.load_pem_private_key(open(priv_path, "rb").read(), password=None)
    payload = json.dumps(statement(model_dir, ignore), indent=2).encode("utf-8")
    sig = key.sign(pae(payload), ec.ECDSA(key_hash(key)))
    bundle = {
        "mediaType": MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": hint_of(key.public_key())}, "tlogEntries": []},
        "dsseEnvelope": {
            "payload": base64.b64encode(payload).decode(),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"sig": base64.b64encode(sig).decode(), "keyid": ""}],
        },
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(bundle, f)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "verify":
        verify(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif cmd == "sign":
        sign(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif cmd == "hint":
        print(hint_of(load_public(sys.argv[2])))
    else:
        sys.exit(2)
