"""Usage: python3 make_small_cnbak.py REAL.cnbak OUT.cnbak

Rebuilds a real .cnbak with its casenotes.db cut to 1 KiB, keeping the exact header form
casenotes writes (ustar, checksum as 7 octal digits and a NUL), so the fuzzer starts from a small
backup that read_all accepts whole."""
import hashlib, json, sys

src, dst = sys.argv[1], sys.argv[2]
raw = open(src, "rb").read()
entries, pos = [], 0
while raw[pos:pos + 512].strip(b"\0"):
    h = bytearray(raw[pos:pos + 512])
    size = int(h[124:136].strip(b"\0 ").decode(), 8)
    name = h[0:100].rstrip(b"\0").decode()
    prefix = h[345:500].rstrip(b"\0").decode()
    full = f"{prefix}/{name}" if prefix else name
    entries.append([full, h, raw[pos + 512:pos + 512 + size]])
    pos += 512 + (size + 511) // 512 * 512
files = {e[0]: e for e in entries}
files["casenotes.db"][2] = files["casenotes.db"][2][:1024]
manifest = json.loads(files["manifest.json"][2])
for f in manifest["files"]:
    data = files[f["path"]][2]
    f["bytes"], f["sha256"] = len(data), hashlib.sha256(data).hexdigest()
mjson = (json.dumps(manifest, indent=2)).encode()
files["manifest.json"][2] = mjson
sums = [(hashlib.sha256(mjson).hexdigest(), "manifest.json")] + [
    (f["sha256"], f["path"]) for f in manifest["files"]]
files["SHA256SUMS"][2] = "".join(f"{h}  {p}\n" for h, p in sums).encode()
out = bytearray()
for name, h, data in entries:
    h[124:136] = b"%011o\0" % len(data)
    h[148:156] = b" " * 8
    h[148:156] = b"%07o\0" % sum(h)
    out += h + data + b"\0" * ((-len(data)) % 512)
out += b"\0" * 1024
open(dst, "wb").write(out)
