//! Records, one kind per file. Each module owns its tables and its SQL, validates what it is
//! given, records its changes in the audit log (ids only), and never puts record content into an
//! error message.

pub mod after_death;
pub mod appointments;
pub mod attachments;
pub mod breaches;
pub mod capacity;
pub mod cases;
pub mod client_file;
pub mod clients;
pub mod consents;
pub mod disclosures;
pub mod measures;
pub mod notes;
pub mod requests;
pub mod risk;
pub mod safety_plan;
pub mod settings;
pub mod today;
