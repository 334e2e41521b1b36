#!/usr/bin/env python3
"""Writes the small seeds of the `sar_bundle` fuzz target: a subject-access bundle's decrypted tar
stream with two tiny files and a manifest whose sizes and SHA-256s are right (so the fuzzer starts
from a stream the reader accepts), as `stream-small.bin` (layer byte 1), and the same encrypted
with the stock `age` tool to this target's own key, as `whole-small.bin` (layer byte 0).
Invented content only. Run from fuzz/: python3 make_small_sar.py"""
import hashlib, io, json, subprocess, tarfile

files = {"index.html": b"<!doctype html><title>Copy</title><p>Invented.</p>\n",
         "data.json": b'{"schema_version":2,"notes":[]}\n'}
manifest = {
    "format": "casenotes-subject-access-bundle", "format_version": 1,
    "generator_version": "0.1.0", "build_commit": "fuzzseed", "request_reference": 1,
    "case_reference": "FZ-1", "created_at": "2026-11-29T23:47:34Z",
    "files": [{"path": p, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
              for p, b in files.items()],
    "withheld": [],
}
out = io.BytesIO()
with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
    for path, body in list(files.items()) + [("manifest.json", json.dumps(manifest).encode())]:
        info = tarfile.TarInfo(path)
        info.size, info.mode, info.mtime = len(body), 0o600, 1764460054
        tar.addfile(info, io.BytesIO(body))
stream = out.getvalue()
# Python pads the archive to 10 KiB; two zero blocks end it, and a shorter seed fuzzes faster.
stream = stream.rstrip(b"\0")
stream += b"\0" * (-len(stream) % 512) + b"\0" * 1024
with open("corpus/sar_bundle/stream-small.bin", "wb") as f:
    f.write(b"\x01" + stream)
recipient = next(l.split(": ")[1].strip() for l in open("sar_bundle.key") if "public key" in l)
whole = subprocess.run(["age", "-r", recipient], input=stream, capture_output=True, check=True).stdout
with open("corpus/sar_bundle/whole-small.bin", "wb") as f:
    f.write(b"\x00" + whole)
