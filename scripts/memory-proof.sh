#!/usr/bin/env bash
# Memory after lock (issue 12): the release desktop app under Xvfb is unlocked, shows a client's
# note holding a canary word, finds it with Ctrl+K, and is locked with Ctrl+L; 10 s later a core
# image of the app's own process and of each WebKit process it started is taken with gdb's
# `gcore` and searched for the master key (raw bytes, lower- and upper-case hex), the passphrase
# and the canary (UTF-8 and UTF-16LE, as WebKit's JavaScript strings may be UTF-16), and the
# client's family name. Prints one line per process.
#
# The bar: no hit of the key, the passphrase or the canary in the app's own process (exit 1
# otherwise). WebKit's hits are printed, not judged: that memory is WebKit's, freed with the page.
#
#   scripts/memory-proof.sh [--no-build] [--app PATH] [--wait SECONDS] [--where]
#     --no-build   use the release app already built (`make build` otherwise runs first)
#     --app PATH   prove another build of casenotes-desktop (a debug build, say)
#     --wait N     seconds between the lock and the core images (default 10)
#     --where      for every hit, print the mapping that holds it and the bytes around it
#     --app-only   take and search the app's own core only, not WebKit's
#     --live       instead of gcore's whole image (gigabytes, minutes each on a busy machine),
#                  copy only the process's writable memory from /proc/PID/mem and search that
#                  (where a secret can be: libraries' code and read-only files cannot hold one)
#     --bar LIST   what a hit in the app's own process fails (default key,passphrase,canary)
#
# `make test` runs a short version (scripts/test-desktop.sh): the debug app the end-to-end tests
# built, `--wait 3 --app-only --live --where`, with the full bar. (The canary was printed only,
# not judged, until the app ran WebKit on malloc, see src-tauri/src/main.rs: two to six copies
# stayed in WebKit's own heap in the app's process before, none since.)
#
# Needs root (or CAP_SYS_PTRACE): the app marks itself not dumpable and sets RLIMIT_CORE to 0,
# which stop an ordinary user's debugger and the kernel's core dumps, but not gcore run by root,
# which attaches with ptrace and writes the image itself. Every secret is made for this run only
# (a new vault, passphrase and canary) and everything, the cores above all, is written to a
# private temporary folder outside the repository and deleted at the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
export PATH="$HOME/.cargo/bin:$PATH"

BUILD=1
APP=""
WAIT_S=10
WHERE=0
APP_ONLY=0
LIVE=0
BAR_LIST="key,passphrase,canary"
while (($#)); do
  case "$1" in
    --no-build) BUILD=0 ;;
    --app) APP="$(realpath "$2")"; BUILD=0; shift ;;
    --wait) WAIT_S="$2"; shift ;;
    --where) WHERE=1 ;;
    --app-only) APP_ONLY=1 ;;
    --live) LIVE=1 ;;
    --bar) BAR_LIST="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "memory-proof: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in gcore xvfb-run dbus-run-session tauri-driver age python3 xdotool; do
  command -v "$tool" >/dev/null || { echo "memory-proof: $tool is missing (gdb, xvfb, dbus, age; tauri-driver from scripts/install-deps.sh)" >&2; exit 2; }
done

if ((BUILD)); then
  echo "== make build (release app, UI first)"
  make --no-print-directory build
fi
APP="${APP:-$CARGO_TARGET_DIR/release/casenotes-desktop}"
CLI="$(dirname "$APP")/casenotes"
[ -x "$APP" ] || { echo "memory-proof: no app at $APP (run make build)" >&2; exit 2; }
[ -x "$CLI" ] || CLI="$CARGO_TARGET_DIR/release/casenotes"
[ -x "$CLI" ] || { echo "memory-proof: no casenotes CLI beside $APP" >&2; exit 2; }

umask 077
WORK="$(mktemp -d "${TMPDIR:-/tmp}/casenotes-memory-proof.XXXXXX")"
case "$(realpath "$WORK")/" in
  "$REPO"/*) echo "memory-proof: the temporary folder $WORK is inside the repository" >&2; rm -rf "$WORK"; exit 2 ;;
esac
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/cores" "$WORK/config" "$WORK/xdg/config" "$WORK/xdg/data" "$WORK/xdg/cache"

# Secrets of this run only, random, so that a hit can only be a copy made by this run.
rand() { python3 -c "import secrets,string; print(''.join(secrets.choice(string.ascii_lowercase) for _ in range($1)))"; }
PASSPHRASE="$(rand 9) $(rand 10) $(rand 8)"
CANARY="canary$(rand 12)"
FAMILY="Quill$(rand 8)"
printf '%s' "$PASSPHRASE" > "$WORK/passphrase"
export CASENOTES_VAULT="$WORK/vault" CASENOTES_CONFIG_DIR="$WORK/config"

echo "== a new vault, a client and a signed note holding the canary (CLI: $CLI)"
"$CLI" --passphrase-file "$WORK/passphrase" --json init > "$WORK/init.json"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recovery_key"])' "$WORK/init.json" > "$WORK/recovery-key.txt"
rm "$WORK/init.json"
# The master key, read with Debian's age (the Go reference implementation) and the recovery key.
age -d -i "$WORK/recovery-key.txt" -o "$WORK/master.key" "$CASENOTES_VAULT/keys/recovery.age"
rm "$WORK/recovery-key.txt"
[ "$(stat -c %s "$WORK/master.key")" -eq 32 ] || { echo "memory-proof: the master key is not 32 bytes" >&2; exit 2; }
"$CLI" --passphrase-file "$WORK/passphrase" client add --given Ada --family "$FAMILY" --status active --started 2025-01-06 >/dev/null
printf 'Session 12. Talked about the %s at length; agreed to return to it next week.\n' "$CANARY" > "$WORK/note.md"
"$CLI" --passphrase-file "$WORK/passphrase" note add C-0001 --body-file "$WORK/note.md" --sign >/dev/null
rm "$WORK/note.md"

cat > "$WORK/drive.py" <<'PY'
"""Drives the app through tauri-driver's WebDriver endpoint, takes the cores, searches them."""
import http.client, json, mmap, os, signal, socket, struct, subprocess, sys, time, urllib.error, urllib.request

WORK, APP = os.environ["PROOF_WORK"], os.environ["PROOF_APP"]
VAULT = os.environ["CASENOTES_VAULT"]
WAIT_S, WHERE = float(os.environ["PROOF_WAIT"]), os.environ["PROOF_WHERE"] == "1"
PASSPHRASE = open(f"{WORK}/passphrase", encoding="utf-8").read()
KEY = open(f"{WORK}/master.key", "rb").read()
CANARY, FAMILY = os.environ["PROOF_CANARY"], os.environ["PROOF_FAMILY"]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C web element identifier
CTRL, NULL, ENTER = "\ue009", "\ue000", "\ue007"

# What is searched for. The bar (exit 1) is any hit of the first three groups in the app itself.
SECRETS = [
    ("key", [KEY, KEY.hex().encode(), KEY.hex().upper().encode()]),
    ("passphrase", [PASSPHRASE.encode(), PASSPHRASE.encode("utf-16-le")]),
    ("canary", [CANARY.encode(), CANARY.encode("utf-16-le")]),
    ("name", [FAMILY.encode(), FAMILY.encode("utf-16-le")]),
]
BAR = set(os.environ["PROOF_BAR"].split(","))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.sid = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        for attempt in range(3):
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    return json.loads(r.read() or b"{}").get("value")
            except urllib.error.HTTPError as e:
                raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:300]!r}") from None
            except (http.client.RemoteDisconnected, ConnectionResetError):
                # tauri-driver now and then drops a connection unanswered; asking again works.
                if attempt == 2:
                    raise
                time.sleep(0.2)

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.sid}{path}", body)

    def start(self):
        caps = {"browserName": "wry", "tauri:options": {"application": APP}}
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}, "desiredCapabilities": caps})
        self.sid = value["sessionId"]

    def find(self, testid):
        try:
            v = self.s("POST", "/element", {"using": "css selector", "value": f"[data-testid='{testid}']"})
            return v[ELEMENT]
        except RuntimeError:
            return None

    def wait_for(self, testid, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            e = self.find(testid)
            if e:
                return e
            time.sleep(0.1)
        shown = self.run("return [...document.querySelectorAll('[data-testid]')].map((e) => e.dataset.testid).slice(0, 40).join(' ');")
        raise RuntimeError(f"no [data-testid='{testid}'] within {timeout} s; the page shows: {shown}")

    def wait_for_text(self, testid, wanted, timeout=15):
        """Waits until the element's text holds `wanted` (ordinary words, never a secret). The
        page answers true or false: the text itself never travels back through WebDriver, whose
        messages would leave copies of a note in the app's process."""
        deadline = time.time() + timeout
        script = "const e = document.querySelector(`[data-testid='${arguments[0]}']`); return e !== null && e.textContent.includes(arguments[1]);"
        while time.time() < deadline:
            if self.s("POST", "/execute/sync", {"script": script, "args": [testid, wanted]}):
                return
            time.sleep(0.1)
        raise RuntimeError(f"[data-testid='{testid}'] never showed the expected text")

    def click(self, testid):
        self.s("POST", f"/element/{self.wait_for(testid)}/click", {})

    def keys(self, eid, text):
        self.s("POST", f"/element/{eid}/value", {"text": text})

    def type_into(self, testid, text):
        eid = self.wait_for(testid)
        self.s("POST", f"/element/{eid}/clear", {})
        self.keys(eid, text)

    def ctrl(self, key):
        self.keys(self.s("GET", "/element/active")[ELEMENT], f"{CTRL}{key}{NULL}")

    def run(self, script):
        return self.s("POST", "/execute/sync", {"script": script, "args": []})


def app_pid():
    wanted = f"CASENOTES_VAULT={VAULT}".encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if not os.readlink(f"/proc/{d}/exe").endswith("casenotes-desktop"):
                continue
            if wanted in open(f"/proc/{d}/environ", "rb").read().split(b"\0"):
                return int(d)
        except OSError:
            continue
    return None


def descendants(root):
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open(f"/proc/{d}/stat").read()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except OSError:
                pass
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def comm(pid):
    return open(f"/proc/{pid}/comm").read().strip()


CHUNK = 16 << 20
ZERO = bytes(CHUNK)


def loads(f):
    """(file offset, size, virtual address) of each PT_LOAD segment of an ELF64 core."""
    head = f.read(64)
    phoff = struct.unpack_from("<Q", head, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
    f.seek(phoff)
    table = f.read(phentsize * phnum)
    segs = []
    for i in range(phnum):
        p_type, _flags, off, vaddr, _pa, filesz = struct.unpack_from("<IIQQQQ", table, i * phentsize)
        if p_type == 1 and filesz:
            segs.append((off, filesz, vaddr))
    f.seek(0)
    return segs


def where(data, at, segs, maps, pos, needle, label):
    """Prints the mapping that holds a hit, and the bytes around it with the secret masked."""
    vaddr = next((va + pos - off for off, size, va in segs if off <= pos < off + size), None)
    name = "?"
    if vaddr is not None:
        for start, end, perms, path in maps:
            if start <= vaddr < end:
                name = f"{perms} {path or '[anonymous]'} +{vaddr - start:#x}"
                break
    ctx = bytes(data[max(0, at - 48):at]) + b"<" + label.upper().encode() + b">" + bytes(data[at + len(needle):at + len(needle) + 48])
    shown = "".join(chr(b) if 32 <= b < 127 else "." for b in ctx)
    va = f"{vaddr:#x}" if vaddr is not None else "?"
    print(f"    {label:<10} at {va} in {name}\n      {shown}")


def scan(path, maps, show, segs=None):
    """Counts each secret in a core file, in chunks; chunks of zeros (untouched reservations,
    most of a WebKit core) are skipped. With `show`, prints where each hit is (`segs`: the file's
    (offset, size, address) runs; read from the core's ELF headers when not given)."""
    needles = [(label, n) for label, ns in SECRETS for n in ns]
    keep = max(len(n) for _, n in needles) - 1
    counts = {label: 0 for label, _ in SECRETS}
    with open(path, "rb", buffering=0) as f:
        if segs is None:
            segs = loads(f) if show else []
        tail, base = b"", 0  # base: the file offset of data[0]
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            data = tail + chunk
            if chunk != ZERO[:len(chunk)] or tail.strip(b"\0"):
                for label, n in needles:
                    at = data.find(n)
                    while at != -1:
                        if at + len(n) > len(tail):  # not counted with the previous chunk
                            counts[label] += 1
                            if show and counts[label] <= 20:
                                where(data, at, segs, maps, base + at, n, label)
                        at = data.find(n, at + 1)
            tail = data[-keep:]
            base += len(data) - len(tail)
    return counts


LIVE = os.environ.get("PROOF_LIVE") == "1"


def dump_writable(pid, maps, path):
    """Copies the resident or swapped pages of every readable and writable mapping of the
    process (heap, stacks, anonymous memory, libraries' data) from /proc/PID/mem into `path`:
    where a secret can be. Pages never touched (most of WebKit's huge reservations) are skipped,
    as /proc/PID/pagemap says. Answers the (offset in `path`, size, address) of every run copied."""
    page, segs = os.sysconf("SC_PAGE_SIZE"), []
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem, open(f"/proc/{pid}/pagemap", "rb", buffering=0) as pagemap, open(path, "wb") as out:
        for start, end, perms, name in maps:
            if not perms.startswith("rw") or name in ("[vvar]", "[vsyscall]"):
                continue
            for at in range(start, end, CHUNK):
                n = min(CHUNK, end - at) // page
                try:
                    pagemap.seek(at // page * 8)
                    entries = struct.unpack(f"<{n}Q", pagemap.read(n * 8))
                except (OSError, struct.error):
                    continue
                i = 0
                while i < n:
                    if not entries[i] >> 62:  # neither present (bit 63) nor swapped (bit 62)
                        i += 1
                        continue
                    j = i
                    while j < n and entries[j] >> 62:
                        j += 1
                    try:
                        mem.seek(at + i * page)
                        run = mem.read((j - i) * page)
                        segs.append((out.tell(), len(run), at + i * page))
                        out.write(run)
                    except OSError:
                        pass
                    i = j
    return segs


def read_maps(pid):
    out = []
    for line in open(f"/proc/{pid}/maps"):
        parts = line.split(None, 5)
        a, b = parts[0].split("-")
        out.append((int(a, 16), int(b, 16), parts[1], parts[5].strip() if len(parts) > 5 else ""))
    return out


def main():
    port, native = free_port(), free_port()
    env = dict(os.environ, NO_AT_BRIDGE="1")
    for k in ("PROOF_CANARY", "PROOF_FAMILY"):
        env.pop(k)
    driver = subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(native)],
                              env=env, stdout=subprocess.DEVNULL)
    wd = WebDriver(port)
    failed = True
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("tauri-driver did not answer")
                time.sleep(0.1)
        wd.start()
        t0 = time.time()
        wd.wait_for("lock-screen")
        wd.type_into("unlock-passphrase", PASSPHRASE)
        wd.click("unlock-submit")
        wd.wait_for("home", timeout=90)  # the key derivation is slow on a busy machine
        wd.click("nav-clients")
        wd.click("open-client-C-0001")
        # Waits use the note's ordinary words, never the canary: nothing secret is read back
        # through WebDriver (whose messages would leave copies of their own).
        wd.wait_for_text("note-html", "return to it next week")
        wd.click("nav-clients")
        wd.wait_for("clients")
        wd.ctrl("k")
        # Typed on the (virtual) keyboard, key by key, as a person would: WebDriver's own typing
        # hands the app's process the whole word as one string of its automation machinery.
        wd.wait_for("search-input")
        subprocess.run(["xdotool", "type", "--delay", "30", CANARY], check=True)
        wd.wait_for("search-hit")
        wd.keys(wd.wait_for("search-input"), ENTER)
        wd.wait_for_text("client-file-name", "C-0001")
        wd.wait_for_text("note-html", "return to it next week")
        wd.run("window.__proofMark = true; return null;")
        try:
            wd.ctrl("l")
        except RuntimeError:
            pass  # the page that received the keys may be gone before WebDriver answers
        deadline = time.time() + 60
        while True:
            try:
                # The lock ends the page's web process and loads the page in a new one: a
                # question asked meanwhile may fail, and is asked again.
                if wd.run("return window.__proofMark === undefined && document.querySelector(\"[data-testid='lock-screen']\") !== null;"):
                    break
            except RuntimeError:
                pass
            if time.time() > deadline:
                raise RuntimeError("no reloaded lock screen after Ctrl+L")
            time.sleep(0.1)
        print(f"unlocked, opened the note, found it with Ctrl+K and locked with Ctrl+L in {time.time() - t0:.1f} s; waiting {WAIT_S:g} s")
        time.sleep(WAIT_S)

        pid = app_pid()
        if pid is None:
            raise RuntimeError("the app's process was not found")
        procs = [(pid, "casenotes-desktop")]
        if os.environ["PROOF_APP_ONLY"] != "1":
            procs += [(p, comm(p)) for p in descendants(pid) if comm(p).startswith("WebKit")]
        labels = [label for label, _ in SECRETS]
        header = f"{'process':<16} {'pid':>7} {'RSS MB':>7} {'core MB':>8} {'gcore s':>8} {'scan s':>7} " + " ".join(f"{l:>10}" for l in labels)
        rows, app_bar_hits = [], 0
        for p, name in procs:
            maps = read_maps(p)
            rss = next(int(l.split()[1]) for l in open(f"/proc/{p}/status") if l.startswith("VmRSS:")) / 1024
            out = f"{WORK}/cores/core"
            t = time.time()
            core = f"{out}.{p}"
            segs = None  # gcore's image: read from its ELF headers
            if LIVE:
                segs = dump_writable(p, maps, core)
            else:
                r = subprocess.run(["gcore", "-o", out, str(p)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                if r.returncode != 0 or not os.path.exists(core):
                    raise RuntimeError(f"gcore could not take {name} ({p}): {r.stderr.strip()[-300:]}")
            took = time.time() - t
            size = os.path.getsize(core)
            is_app = p == pid
            print(f"-- {name} ({p}): core image of {size / 1e6:.0f} MB in {took:.1f} s; searching it", flush=True)
            t = time.time()
            try:
                counts = scan(core, maps, WHERE or (is_app and not LIVE), segs)
            finally:
                os.remove(core)  # it may hold the secrets: gone as soon as it is searched
            row = f"{name:<16} {p:>7} {rss:>7.0f} {size / 1e6:>8.0f} {took:>8.1f} {time.time() - t:>7.1f} " + " ".join(f"{counts[l]:>10}" for l in labels)
            rows.append(row)
            print(header + "\n" + row, flush=True)
            if is_app:
                app_bar_hits = sum(counts[k] for k in BAR)
        print()
        print(header)
        print("\n".join(rows))
        print("(hits: key = raw bytes + lower- and upper-case hex; passphrase, canary and the client's name = UTF-8 + UTF-16LE)")
        judged = ", ".join(sorted(BAR))
        if app_bar_hits:
            print(f"FAIL: the locked app's own process holds {app_bar_hits} copies of what the bar counts ({judged})")
        else:
            print(f"PASS: no copy of {judged} in the locked app's own process")
        failed = app_bar_hits > 0
    finally:
        if wd.sid:
            try:
                wd.call("DELETE", f"/session/{wd.sid}")
            except Exception:
                pass
        driver.send_signal(signal.SIGTERM)
        try:
            driver.wait(15)
        except subprocess.TimeoutExpired:
            driver.kill()
            driver.wait()
        for f in os.listdir(f"{WORK}/cores"):
            os.remove(f"{WORK}/cores/{f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        print(f"memory-proof: {e}", file=sys.stderr)
        sys.exit(2)
PY

echo "== the app under Xvfb: unlock, open the note, Ctrl+K, Ctrl+L, wait ${WAIT_S} s, gcore ($APP)"
export PROOF_WORK="$WORK" PROOF_APP="$APP" PROOF_WAIT="$WAIT_S" PROOF_WHERE="$WHERE" PROOF_APP_ONLY="$APP_ONLY" PROOF_LIVE="$LIVE" PROOF_BAR="$BAR_LIST"
export PROOF_CANARY="$CANARY" PROOF_FAMILY="$FAMILY"
export XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" XDG_CACHE_HOME="$WORK/xdg/cache"
set +e
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- python3 "$WORK/drive.py"
status=$?
set -e
exit "$status"
