//! The one error type of the engine: a message that says what was wrong and
//! what was expected, and for a refused setting the config field it names, so
//! a page can show the message next to the control that caused it. Every
//! public entry point returns `Result<T>`.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    /// The config field at fault (its serialised name), when one is.
    pub field: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            field: None,
        }
    }

    pub fn in_field(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `bail!("...", args)` returns an `Error` built with `format!`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::error::Error::new(format!($($arg)*))) };
}

/// `refuse!(field, "...", args)`: an `Error` naming the config field at fault.
#[macro_export]
macro_rules! refuse {
    ($field:expr, $($arg:tt)*) => { return Err($crate::error::Error::in_field($field, format!($($arg)*))) };
}
