// Generated from the Rust types in src-tauri by `cargo test -p casenotes-desktop` (src/bindings.rs).
// Do not edit by hand: scripts/test-desktop.sh fails when this file is out of date.

export type IpcError = { 
/**
 * A stable name: the core's kinds (`wrong_passphrase`, `locked`, …) plus the shell's own
 * `invalid_setting`, `passphrase_required` and `internal`.
 */
kind: string, message: string, };

export type LockReason = "requested" | "idle" | "minimised" | "closing";

export type LockedEvent = { reason: LockReason, };

export type FailedAttempts = { count: number, 
/**
 * RFC 3339 UTC; the UI shows it in local time as "3 March 2026 at 14:05".
 */
first_at: string | null, last_at: string | null, };

export type VaultState = { 
/**
 * False on first run: the UI offers to create a vault.
 */
exists: boolean, unlocked: boolean, vault_dir: string, failed_unlocks: FailedAttempts, 
/**
 * True only when the keychain slot is on *and* the passphrase was used in this run.
 */
keychain_unlock_available: boolean, };

export type NewPassphraseArgs = { passphrase: string, confirmation: string, };

export type CreatedVault = { recovery_key: string, };

export type UnlockArgs = { passphrase: string, };

export type RecoverArgs = { recovery_key: string, new_passphrase: string, confirmation: string, };

export type ChangePassphraseArgs = { current: string, new_passphrase: string, confirmation: string, };

export type Unlocked = { 
/**
 * Attempts that failed between the previous unlock and this one.
 */
failed_before_this_unlock: FailedAttempts, };

export type VaultStatus = { vault_dir: string, vault_id: string, created_at: string, audit_entries: number, };

export type About = { version: string, commit: string, };

export type Settings = { 
/**
 * 1 to 60; default 5.
 */
idle_lock_minutes: number, lock_on_minimise: boolean, keychain_unlock: boolean, };

export type IdleMinutesArgs = { minutes: number, };

export type SwitchArgs = { on: boolean, };

/** Every command: its one argument (sent as `args`) and its result. */
export type Commands = {
  vault_state: { args: null; result: VaultState };
  create_vault: { args: NewPassphraseArgs; result: CreatedVault };
  recovery_key_stored: { args: null; result: null };
  unlock: { args: UnlockArgs; result: Unlocked };
  recover: { args: RecoverArgs; result: Unlocked };
  unlock_with_keychain: { args: null; result: Unlocked };
  lock: { args: null; result: null };
  change_passphrase: { args: ChangePassphraseArgs; result: null };
  note_activity: { args: null; result: null };
  vault_status: { args: null; result: VaultStatus };
  about: { args: null; result: About };
  get_settings: { args: null; result: Settings };
  set_idle_lock_minutes: { args: IdleMinutesArgs; result: null };
  set_lock_on_minimise: { args: SwitchArgs; result: null };
  set_keychain_unlock: { args: SwitchArgs; result: null };
};
