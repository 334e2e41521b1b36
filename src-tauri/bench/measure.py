#!/usr/bin/env python3
"""Launch-to-lock-screen time and idle memory of casenotes-desktop, driven through tauri-driver.

Usage (from the repository root, after `make build` and with a vault made by the CLI):
    printf 'correct horse battery staple' > /tmp/pass
    $CARGO_TARGET_DIR/release/casenotes init --vault /tmp/mv/vault --passphrase-file /tmp/pass
    xvfb-run -a -s "-screen 0 1280x800x24" python3 src-tauri/bench/measure.py \
        $CARGO_TARGET_DIR/release/casenotes-desktop /tmp/mv/vault 'correct horse battery staple'
Set SKIP_UNLOCK=1 to measure memory while locked instead.

Prints the time from the WebDriver new-session request (which starts the app) to the lock screen
being in the DOM (an upper bound: it includes WebDriver's own start-up), then unlocks, waits 30 s
untouched, and prints the RSS of the app process and of its WebKit child processes.
"""
import json, os, socket, subprocess, sys, time, urllib.request, signal

app, vault, passphrase = sys.argv[1], sys.argv[2], sys.argv[3]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

port, native = free_port(), free_port()
env = dict(os.environ, CASENOTES_VAULT=vault, NO_AT_BRIDGE="1")
drv = subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(native)], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"

def req(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", port)).close(); break
    except OSError:
        time.sleep(0.05)

def find(sid, testid):
    return req("POST", f"/session/{sid}/element", {"using": "css selector", "value": f"[data-testid='{testid}']"})

try:
    time.sleep(1)  # let WebKitWebDriver behind tauri-driver come up; not part of the figure
    t0 = time.monotonic()
    status, s = req("POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": app}}}})
    sid = s["value"]["sessionId"]
    t_session = time.monotonic() - t0
    while find(sid, "lock-screen")[0] != 200:
        time.sleep(0.01)
    t_lock = time.monotonic() - t0
    print(f"new session (app started, WebDriver attached): {t_session*1000:.0f} ms")
    print(f"launch to lock screen in the DOM: {t_lock*1000:.0f} ms")
    if os.environ.get("SKIP_UNLOCK"):
        time.sleep(30)
    else:
      el = find(sid, "unlock-passphrase")[1]["value"]
      eid = list(el.values())[0]
      req("POST", f"/session/{sid}/element/{eid}/value", {"text": passphrase})
      el = find(sid, "unlock-submit")[1]["value"]
      req("POST", f"/session/{sid}/element/{list(el.values())[0]}/click", {})
      while find(sid, "vault-id")[0] != 200:
          time.sleep(0.05)
      time.sleep(30)
    out = subprocess.run(["ps", "-eo", "pid,ppid,rss,comm"], capture_output=True, text=True).stdout.splitlines()[1:]
    procs = [l.split(None, 3) for l in out]
    def exe(pid):
        try:
            return os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return ""
    appp = [p for p in procs if exe(p[0]) == os.path.realpath(app)]
    total = 0
    for a in appp:
        print(f"casenotes-desktop pid {a[0]}: RSS {int(a[2])/1024:.0f} MiB")
        total += int(a[2])
        for c in procs:
            if c[1] == a[0]:
                print(f"  child {c[3]} pid {c[0]}: RSS {int(c[2])/1024:.0f} MiB")
                total += int(c[2])
    print(f"total RSS (app + WebKit children): {total/1024:.0f} MiB")
    req("DELETE", f"/session/{sid}")
finally:
    drv.send_signal(signal.SIGTERM); drv.wait(10)
