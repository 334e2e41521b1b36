// Every command the shell exposes, by name. `build.rs` includes this file and gives each command
// its own allow permission; a test checks the capability file and the generated TypeScript
// command map against it, so a command cannot be added without being allow-listed and typed.
pub const COMMAND_NAMES: &[&str] = &[
    "vault_state",
    "create_vault",
    "recovery_key_stored",
    "unlock",
    "recover",
    "unlock_with_keychain",
    "lock",
    "change_passphrase",
    "note_activity",
    "vault_status",
    "about",
    "get_settings",
    "set_idle_lock_minutes",
    "set_lock_on_minimise",
    "set_keychain_unlock",
    "list_clients",
    "add_client",
    "open_client_file",
    "create_note",
    "save_draft",
    "sign_note",
    "add_addendum",
    "set_note_third_party",
    "search",
];
