//! Retention and destruction: policies with UK presets, what is due and why, appraised
//! destruction that leaves no trace on disk, and a hash-chained register of certificates that
//! outlives the records.
//!
//! Nothing is ever destroyed by itself: [`due::list`] only reports, and [`destroy::destroy`]
//! acts on the items the practitioner chose, with a reason, after confirming their passphrase.
//! This module never writes clinical text into a certificate, an audit entry or an error.

pub mod destroy;
pub mod due;
pub mod policy;
pub mod register;

pub use destroy::{destroy, reapply, DestroyProgress, Target};
pub use due::{assess, list as due_list, ClientDates, DueItem, Hold, ItemCounts};
pub use policy::{add_months, add_years, age_on, Category, Policy, Preset};
pub use register::Certificate;
