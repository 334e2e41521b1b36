//! Reading passphrases and recovery keys from files or from the terminal without echo.
//! Everything read lands in wiping buffers; nothing is ever printed back.

use std::path::Path;

use casenotes::secret::{Passphrase, RecoveryKey};
use zeroize::Zeroizing;

use crate::CliError;

/// A file's content, less one trailing newline (`\n` or `\r\n`), as secret text.
fn read_secret_file(path: &Path, what: &str) -> Result<Zeroizing<String>, CliError> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
        CliError::Usage(format!(
            "Could not read the {what} file {}: {e}",
            path.display()
        ))
    })?);
    let mut end = bytes.len();
    if bytes[..end].ends_with(b"\n") {
        end -= 1;
        if bytes[..end].ends_with(b"\r") {
            end -= 1;
        }
    }
    let text = std::str::from_utf8(&bytes[..end]).map_err(|_| {
        CliError::Usage(format!(
            "The {what} file {} is not plain text.",
            path.display()
        ))
    })?;
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    out.push_str(text);
    Ok(out)
}

fn prompt(label: &str) -> Result<Zeroizing<String>, CliError> {
    rpassword::prompt_password(label).map(Zeroizing::new).map_err(|_| {
        CliError::Usage(
            "No passphrase was given. Use --passphrase-file FILE, or run casenotes in a terminal to be asked for it."
                .to_owned(),
        )
    })
}

/// The current passphrase, from a file or a prompt.
pub fn passphrase(file: Option<&Path>) -> Result<Passphrase, CliError> {
    let text = match file {
        Some(f) => read_secret_file(f, "passphrase")?,
        None => prompt("Passphrase: ")?,
    };
    Ok(Passphrase::new(text))
}

/// A passphrase other than the vault's (a bundle's), from a file or a prompt with this label.
pub fn passphrase_for(file: Option<&Path>, label: &str) -> Result<Passphrase, CliError> {
    let text = match file {
        Some(f) => read_secret_file(f, "passphrase")?,
        None => prompt(label)?,
    };
    Ok(Passphrase::new(text))
}

/// A new passphrase other than the vault's (a bundle's): from a file, or typed twice.
pub fn new_passphrase_for(file: Option<&Path>, label: &str) -> Result<Passphrase, CliError> {
    if let Some(f) = file {
        return Ok(Passphrase::new(read_secret_file(f, "passphrase")?));
    }
    let first = prompt(&format!("{label} (at least 12 characters): "))?;
    let second = prompt("Type it again: ")?;
    if *first != *second {
        return Err(casenotes::Error::PassphraseMismatch.into());
    }
    Ok(Passphrase::new(first))
}

/// A new passphrase: from a file, or typed twice at a prompt.
pub fn new_passphrase(file: Option<&Path>) -> Result<Passphrase, CliError> {
    if let Some(f) = file {
        return Ok(Passphrase::new(read_secret_file(f, "new passphrase")?));
    }
    let first = prompt("New passphrase (at least 12 characters): ")?;
    let second = prompt("Type it again: ")?;
    if *first != *second {
        return Err(casenotes::Error::PassphraseMismatch.into());
    }
    Ok(Passphrase::new(first))
}

pub fn recovery_key(file: Option<&Path>) -> Result<RecoveryKey, CliError> {
    let text = match file {
        Some(f) => read_secret_file(f, "recovery key")?,
        None => prompt("Recovery key (AGE-SECRET-KEY-1…): ")?,
    };
    Ok(RecoveryKey::parse(&text)?)
}
