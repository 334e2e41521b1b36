// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Memory is zeroed as it is freed, so text from a note does not linger after the vault locks.
#[global_allocator]
static ALLOCATOR: casenotes::memory::WipeOnFree = casenotes::memory::WipeOnFree;

fn main() {
    casenotes_desktop::run();
}
