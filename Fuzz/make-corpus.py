#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 the swift-perc authors
"""Writes the fuzz targets' seed corpora (Fuzz/Corpus/<Target>/) from the vectors in
Tests/Fixtures, in each target's input layout (see the comment at the top of its main.swift).
Run from anywhere: python3 Fuzz/make-corpus.py. Deterministic: the same fixtures give the same
files; the old seeds are removed first."""
import hashlib
import json
import pathlib
import shutil
import struct

root = pathlib.Path(__file__).resolve().parent.parent
fixtures = root / "Tests" / "Fixtures"
corpus = root / "Fuzz" / "Corpus"

# ProtectionProfile.allCases order, and the master key the SRTPUnprotect target uses per profile.
profiles = ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AES_256_CM_HMAC_SHA1_80",
            "AES_256_CM_HMAC_SHA1_32", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM", "NULL_HMAC_SHA1_80",
            "NULL_HMAC_SHA1_32"]
target_keys = {
    "AES_CM_128_HMAC_SHA1_80": "e1f97a0d3e018be0d64fa32c06de4139",
    "AES_CM_128_HMAC_SHA1_32": "e1f97a0d3e018be0d64fa32c06de4139",
    "NULL_HMAC_SHA1_80": "e1f97a0d3e018be0d64fa32c06de4139",
    "NULL_HMAC_SHA1_32": "e1f97a0d3e018be0d64fa32c06de4139",
    "AES_256_CM_HMAC_SHA1_80": "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6",
    "AES_256_CM_HMAC_SHA1_32": "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6",
    "AEAD_AES_128_GCM": "000102030405060708090a0b0c0d0e0f",
}

seeds = {}


def seed(target, data):
    seeds.setdefault(target, set()).add(bytes(data))


def load(name):
    return json.loads((fixtures / name).read_text())


# SRTPUnprotect: protected packets under the target's keys (unprotect mode), every plaintext
# under every profile (round-trip mode).
plaintexts = []
for name in ["libsrtp-aescm128-hmac80.json", "libsrtp-null-hmac80.json", "libsrtp-gcm128.json",
             "libsrtp-aescm256-192-hmac80.json", "libsrtp2-crosscheck-rollover.json"]:
    fixture = load(name)
    for vector in fixture["vectors"]:
        profile = vector["profile"]
        if profile not in profiles:
            continue
        rtcp = vector["kind"] == "srtcp"
        key = vector.get("master_key") or fixture.get("master_key") or fixture["keys"][profile]["master_key"]
        plain = bytes.fromhex(vector["plaintext_packet"])
        plaintexts.append((rtcp, plain))
        if key == target_keys.get(profile) and not vector.get("mki"):
            seed("SRTPUnprotect", [profiles.index(profile) | (8 if rtcp else 0)] + list(bytes.fromhex(vector["protected_packet"])))
        seed("RTPHeaderViews", plain)
for index in range(len(profiles)):
    for rtcp, plain in plaintexts:
        seed("SRTPUnprotect", [index | 0x10 | (8 if rtcp else 0)] + list(plain))

# DoubleUnprotect and RelayForward: the RFC 8723 example (sender A, relay to B).
double = load("perc-double-selfgen.json")
a = double["sender_A"]
srtp, wire, plain = (bytes.fromhex(a[k]) for k in ["srtp_packet", "wire_packet(srtp||FullEKTField)", "rtp_packet_plain"])
seed("DoubleUnprotect", b"\x00" + srtp)
seed("DoubleUnprotect", b"\x01" + wire)
for selector in [0x02, 0x03, 0x06, 0x07]:
    seed("DoubleUnprotect", bytes([selector]) + plain)
edits = bytes([0x07, 100, 0x00, 0x42])   # PT 96->100, SEQ 0x1234->0x0042, M 1->0, as the fixture
seed("RelayForward", b"\x00" + edits + srtp)
seed("RelayForward", b"\x01" + edits + wire)
seed("RelayForward", b"\x00\x00\x00\x00\x00" + srtp)
for selector in [0x02, 0x03]:
    seed("RelayForward", bytes([selector]) + edits + plain)
    seed("RelayForward", bytes([selector, 0, 0, 0, 0]) + plain)
seed("RTPHeaderViews", plain)
seed("RTPHeaderViews", bytes.fromhex(double["media_distributor"]["new_header"]))

# OHBParse: 8 bytes of header change (current PT, SEQ, M; new PT, SEQ, M), then the OHB.
ohb = bytes.fromhex(double["media_distributor"]["ohb"])
for change in ["6012340164004200", "6000010060000200", "0000000000000000"]:
    for block in [ohb, b"\x00", b"\x60\x02", b"\x12\x34\x01", b"\x04", b"\x0c", b"\x60\x06"]:
        seed("OHBParse", bytes.fromhex(change) + block)

# EKTUnwrap: the selector picks the KEK (the keks list of its main.swift: the EKT AESKW128
# key, two 192-bit KEKs of RFC 3394 / 5649, the AESKW256 key), then the packet tail.
keks = ["000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f1011121314151617",
        "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"]
ekt = load("ekt-selfgen.json")
for case in ekt["cases"]:
    kek = keks.index(case["ekt_key"]) if case["ekt_key"] in keks else 0
    seed("EKTUnwrap", bytes([kek]) + bytes.fromhex(case["full_ekt_field"]))
    seed("EKTUnwrap", bytes([kek]) + bytes.fromhex(case["ekt_ciphertext"]))
    seed("EKTUnwrap", bytes([kek]) + bytes.fromhex(case["ekt_plaintext"]))
seed("EKTUnwrap", b"\x00" + bytes.fromhex(ekt["short_ekt_field"]))
seed("EKTUnwrap", b"\x00" + wire)
for name in ["rfc3394-keywrap.json", "rfc5649-keywrap.json"]:
    for vector in load(name)["vectors"]:
        if vector["kek"] in keks:
            seed("EKTUnwrap", bytes([keks.index(vector["kek"])]) + bytes.fromhex(vector["ciphertext"]))

# TunnelFraming: a chunking byte, then RFC 9185 messages back to back.
association = bytes(range(16))
def message(kind, body):
    return bytes([kind]) + struct.pack(">H", len(body)) + body
supported = message(1, b"\x00" + struct.pack(">H", 4) + b"\x00\x09\x00\x0a")
unsupported = message(2, b"\x00")
media = double["dtls_srtp_key_split_example"]["MediaKeys_to_MD"]
keys = [bytes.fromhex(media[k]) for k in ["client_write_SRTP_master_key", "server_write_SRTP_master_key",
                                          "client_write_SRTP_master_salt", "server_write_SRTP_master_salt"]]
media_keys = message(3, association + b"\x00\x09" + b"\x00" + b"".join(bytes([len(k)]) + k for k in keys))
tunneled = message(4, association + struct.pack(">H", 13) + bytes.fromhex("16fefd0000000000000000000000"[:26]))
disconnect = message(5, association)
for chunking in [0, 7]:
    seed("TunnelFraming", bytes([chunking]) + supported + media_keys + tunneled + disconnect + unsupported)
for single in [supported, unsupported, media_keys, tunneled, disconnect]:
    seed("TunnelFraming", b"\x03" + single)

# MDDDemux: a source address (family byte, 16 bytes, port), then a datagram.
def stun_request(username, transaction):
    name = username.encode()
    padded = name + b"\x00" * (-len(name) % 4)
    body = struct.pack(">HH", 6, len(name)) + padded
    return struct.pack(">HHI", 1, len(body), 0x2112A442) + transaction + body
v4 = b"\x00" + bytes([127, 0, 0, 1]) + bytes(12) + struct.pack(">H", 5004)
v6 = b"\x01" + bytes(15) + b"\x01" + struct.pack(">H", 5004)
for source in [v4, v6]:
    seed("MDDDemux", source + stun_request("standup:alice", bytes(range(12))))
    seed("MDDDemux", source + stun_request("", bytes(12)))
    seed("MDDDemux", source + srtp)
    seed("MDDDemux", source + bytes.fromhex("16fefd00000000000000000000"))

# DTLSHandshake: mode 3 without masks is a clean handshake; the fuzzer grows the rest.
for mode in range(4):
    seed("DTLSHandshake", bytes([mode]))

shutil.rmtree(corpus, ignore_errors=True)
for target, items in sorted(seeds.items()):
    directory = corpus / target
    directory.mkdir(parents=True)
    for data in sorted(items):
        (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{target}: {len(items)} seeds")
