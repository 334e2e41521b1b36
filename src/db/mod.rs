//! Opening the encrypted database: the SQLCipher key, the pragmas, and the migrations.
//!
//! The key is handed to SQLCipher through `sqlite3_key` in raw form (`x'…'`), which skips
//! SQLCipher's own PBKDF2 (the master key is random, so stretching it buys nothing) and keeps the
//! key out of SQL text that SQLite would copy into unwiped memory. Every connection gets the same
//! pragmas; see DESIGN.md for why each is set. Migrations are the SQL files in `migrations/`,
//! embedded at build time and applied in order at unlock.

use std::path::Path;

use include_dir::{include_dir, Dir};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::Migrations;

use crate::error::{Error, Result};
use crate::secret::MasterKey;

static MIGRATIONS_DIR: Dir = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// The database file's name inside the vault folder.
pub const DB_FILE: &str = "casenotes.db";

/// Opens (or creates) the database with the master key and applies the standard pragmas.
/// A key that does not match the file gives `DamagedKeySlot`: the slot decrypted, so the slot
/// and the database have come apart.
pub fn open(path: &Path, key: &MasterKey, create: bool) -> Result<Connection> {
    // Before SQLite's first use in this process: freed pages are wiped (see memory.rs).
    crate::memory::wipe_sqlite_memory_on_free();
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut conn = Connection::open_with_flags(path, flags)?;
    // Every write transaction asks for the write lock when it begins, so that it waits for
    // another process (the CLI beside the app) through the busy timeout instead of failing with
    // "database is locked" when it turns from reading to writing.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    apply_key(&conn, key)?;
    // SQLCipher 4's settings exactly, whatever a future SQLCipher's defaults may become, so
    // that the file stays readable by any SQLCipher 4 client (DESIGN.md: never locked in).
    conn.execute_batch("PRAGMA cipher_compatibility = 4")?;
    // The first read is where SQLCipher checks the key.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Error::DamagedKeySlot {
                detail: "the key does not open casenotes.db".to_owned(),
            },
            _ => Error::Database(e),
        })?;
    apply_pragmas(&conn)?;
    Ok(conn)
}

/// Opens a database with no key at all: a plain SQLite file made by the same code, used only by
/// benchmarks to measure what encryption costs.
pub fn open_unencrypted_for_benchmarks(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    apply_pragmas(&conn)?;
    Ok(conn)
}

fn apply_key(conn: &Connection, key: &MasterKey) -> Result<()> {
    let raw = key.sqlcipher_raw_key();
    let len = i32::try_from(raw.len()).map_err(|_| Error::Encryption("key too long".into()))?;
    // SAFETY: the handle is valid for the life of `conn`, which outlives this call; the pointer
    // and length describe `raw`, which lives until the end of this function. SQLCipher copies
    // the key into its own memory, which it wipes when the connection closes.
    let rc = unsafe { rusqlite::ffi::sqlite3_key(conn.handle(), raw.as_ptr().cast(), len) };
    if rc != rusqlite::ffi::SQLITE_OK {
        return Err(Error::Encryption(format!(
            "SQLCipher refused the key (code {rc})"
        )));
    }
    Ok(())
}

/// Re-encrypts every page under `new_key` (SQLCipher's `sqlite3_rekey`, given the raw key form
/// through the C API as `apply_key` does, never in SQL text), in one transaction.
/// `sqlite3_rekey` reports success even when its transaction failed and was rolled back, so
/// the caller must check with a fresh connection which key opens the file before relying on it.
pub fn rekey(conn: &Connection, new_key: &MasterKey) -> Result<()> {
    let raw = new_key.sqlcipher_raw_key();
    let len = i32::try_from(raw.len()).map_err(|_| Error::Encryption("key too long".into()))?;
    // SAFETY: as in `apply_key`: a live handle, and a pointer and length describing `raw`,
    // which outlives the call; SQLCipher copies the key into memory it wipes at close.
    let rc = unsafe { rusqlite::ffi::sqlite3_rekey(conn.handle(), raw.as_ptr().cast(), len) };
    if rc != rusqlite::ffi::SQLITE_OK {
        return Err(Error::Encryption(format!(
            "SQLCipher refused the new key (code {rc})"
        )));
    }
    Ok(())
}

fn apply_pragmas(conn: &Connection) -> Result<()> {
    // cipher_memory_security stays off (measured 4x slower writes); we wipe our own secrets.
    // On a plain SQLite build the cipher pragma is silently ignored.
    // A 64 MiB page cache: every page read from disk costs SQLCipher a decryption and an HMAC
    // check, so keeping decrypted pages in memory is what makes search and opening a file quick
    // (measured: 10x faster file opening at 10,000 notes than with the default 2 MiB cache).
    // No memory mapping: SQLCipher never maps an encrypted file, and the plain database the
    // benchmarks compare it with must read pages the same way to be a fair comparison.
    conn.execute_batch(
        "PRAGMA cipher_memory_security = OFF;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA cache_size = -65536;
         PRAGMA mmap_size = 0;",
    )?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::IntegrityCheckFailed {
            detail: format!("the database would not use write-ahead logging (it reported {mode})"),
        });
    }
    Ok(())
}

/// Opens a copy of the database (a backup's snapshot) with the master key, for checking only:
/// no pragmas beyond the key, and a rollback journal rather than WAL, so the copy stays one
/// self-contained file. A key that does not fit gives `DamagedKeySlot`.
pub fn open_snapshot(path: &Path, key: &MasterKey) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    apply_key(&conn, key)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Error::DamagedKeySlot {
                detail: "the key does not open the database".to_owned(),
            },
            _ => Error::Database(e),
        })?;
    conn.execute_batch("PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;")?;
    let _: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    Ok(conn)
}

/// All migrations, from the embedded `migrations/` folder.
fn migrations() -> Result<Migrations<'static>> {
    Ok(Migrations::from_directory(&MIGRATIONS_DIR)?)
}

/// Brings the schema up to date.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrations()?.to_latest(conn)?;
    Ok(())
}

/// The schema version recorded in the database (the number of migrations applied).
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// SQLite's full integrity check; anything but "ok" is reported.
pub fn integrity_check(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let problems: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    if problems.len() == 1 && problems[0] == "ok" {
        Ok(())
    } else {
        Err(Error::IntegrityCheckFailed {
            detail: problems.join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().unwrap().validate().unwrap();
    }

    fn found(conn: &Connection, query: &str) -> Vec<i64> {
        let mut stmt = conn
            .prepare("SELECT rowid FROM search_index WHERE search_index MATCH ?1 ORDER BY rowid")
            .unwrap();
        let rows = stmt.query_map([query], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    /// A vault made before migration 13 had a search index without prefix indexes: the
    /// migration builds it again with them, keeps every entry, and the triggers that keep it up
    /// to date (which name it) still work on the new table.
    #[test]
    fn a_vault_from_before_the_prefix_index_keeps_its_search_and_its_triggers() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;")
            .unwrap();
        migrations().unwrap().to_version(&mut conn, 12).unwrap();
        let now = "2026-03-03T10:00:00Z";
        conn.execute(
            "INSERT INTO clients (id, case_ref, given_name, family_name, status, created_at, updated_at)
             VALUES (1, 'C-0001', 'Ann', 'Ashworth', 'active', ?1, ?1)",
            [now],
        )
        .unwrap();
        for (id, body) in [
            (1, "Worked late; worry about work."),
            (2, "Wrote to her mother."),
            (3, "Sleepless, worn out."),
        ] {
            conn.execute(
                "INSERT INTO notes (id, client_id, kind, template, body, created_at, updated_at)
                 VALUES (?1, 1, 'session', 'free', ?2, ?3, ?3)",
                rusqlite::params![id, body, now],
            )
            .unwrap();
        }
        let before = found(&conn, "\"wor\"*");
        assert_eq!(before, [4, 12]);

        migrate(&mut conn).unwrap();
        // The new table's options are checked in tests/search_prefix.rs; here, what migrating
        // an existing vault must keep.
        let legacy: i64 = conn
            .query_row("PRAGMA legacy_alter_table", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            legacy, 0,
            "the migration turns legacy_alter_table off again"
        );
        assert_eq!(found(&conn, "\"wor\"*"), before);
        assert_eq!(found(&conn, "\"ashw\"*"), [6], "the client's name");
        // Every trigger, on the new table.
        conn.execute(
            "INSERT INTO notes (id, client_id, kind, template, body, created_at, updated_at)
             VALUES (4, 1, 'session', 'free', 'Workbook done.', ?1, ?1)",
            [now],
        )
        .unwrap();
        conn.execute("UPDATE notes SET body = 'Rested.' WHERE id = 1", [])
            .unwrap();
        conn.execute(
            "INSERT INTO note_addenda (id, note_id, reason, body, created_at, content_sha256)
             VALUES (1, 2, 'typo', 'She wrote twice.', ?1, 'x')",
            [now],
        )
        .unwrap();
        conn.execute(
            "UPDATE clients SET family_name = 'Worthing' WHERE id = 1",
            [],
        )
        .unwrap();
        assert_eq!(found(&conn, "\"wor\"*"), [6, 12, 16]);
        assert_eq!(found(&conn, "\"wr\"*"), [5, 8]);
        assert!(found(&conn, "\"ashw\"*").is_empty());
        conn.execute("DELETE FROM note_addenda WHERE id = 1", [])
            .unwrap();
        conn.execute("DELETE FROM notes", []).unwrap();
        conn.execute("DELETE FROM clients", []).unwrap();
        assert!(found(&conn, "\"w\"*").is_empty());
        conn.execute(
            "INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
        integrity_check(&conn).unwrap();
    }
}
