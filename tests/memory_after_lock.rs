//! After lock, this process holds no copy of the text it wrote and read: SQLite's freed pages
//! and the Rust heap are wiped on free (`casenotes::memory`). The test scans its own writable
//! memory (heap, stacks, every anonymous mapping) through /proc/self/mem for a canary phrase
//! written into notes, searched for and read back: found while unlocked (so the scan works),
//! gone after lock. The desktop app's own proof, with a core image, is scripts/memory-proof.sh.

#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Seek, SeekFrom};

use casenotes::domain::{clients, notes};
use casenotes::vault::Vault;
use common::*;

#[global_allocator]
static ALLOCATOR: casenotes::memory::WipeOnFree = casenotes::memory::WipeOnFree;

/// The canary, stored XORed so that the plain phrase exists only where the code under test put
/// it, never in this test's own constants or its search loop.
const MASK: u8 = 0x5a;
const HIDDEN: [u8; 24] = {
    let plain = *b"pelican-vermilion-42-oboe";
    let mut out = [0u8; 24];
    let mut i = 0;
    while i < 24 {
        out[i] = plain[i] ^ MASK;
        i += 1;
    }
    out
};

fn canary() -> String {
    HIDDEN.iter().map(|b| (b ^ MASK) as char).collect()
}

/// How many times the canary appears in this process's writable memory.
fn hits() -> usize {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mut mem = std::fs::File::open("/proc/self/mem").unwrap();
    let mut count = 0;
    let mut buf = Vec::new();
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (Some(range), Some(perms)) = (parts.next(), parts.next()) else {
            continue;
        };
        let path = parts.nth(3).unwrap_or("");
        if !perms.starts_with("rw") || path.starts_with("[v") {
            continue;
        }
        let (a, b) = range.split_once('-').unwrap();
        let (a, b) = (
            u64::from_str_radix(a, 16).unwrap(),
            u64::from_str_radix(b, 16).unwrap(),
        );
        buf.resize((b - a) as usize, 0);
        if mem.seek(SeekFrom::Start(a)).is_err() || mem.read_exact(&mut buf).is_err() {
            continue;
        }
        count += buf
            .windows(HIDDEN.len())
            .filter(|w| w.iter().zip(HIDDEN.iter()).all(|(x, h)| x ^ MASK == *h))
            .count();
        buf.iter_mut().for_each(|x| *x = 0);
    }
    count
}

#[test]
fn nothing_written_or_read_remains_in_memory_after_lock() {
    assert!(
        casenotes::memory::wipe_sqlite_memory_on_free(),
        "installed before SQLite's first use"
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Vault::create(&tmp.path().join("vault"), &passphrase(PASSPHRASE))
        .unwrap()
        .session;
    let id = clients::add(&mut s, clients::ClientDetails::named("Memory", "Test"))
        .unwrap()
        .id;
    for i in 0..20 {
        let body = format!("Session {i}: we talked about the {} again.", canary());
        let n = notes::create(
            &mut s,
            id,
            notes::NoteKind::Session,
            notes::Template::Free,
            &body,
            false,
        )
        .unwrap();
        notes::sign(&mut s, n.id).unwrap();
    }
    let found = casenotes::search::search(&s, &canary()).unwrap();
    assert!(!found.is_empty());
    let file = casenotes::domain::client_file::open(&s, "C-0001");
    let while_open = hits();
    drop(found);
    drop(file);
    assert!(
        while_open > 0,
        "the scan must see the canary while unlocked, or it proves nothing"
    );
    s.lock().unwrap();
    let after = hits();
    assert_eq!(
        after, 0,
        "{after} copies of the canary remain after lock ({while_open} while open)"
    );
}
