// SPDX-License-Identifier: Apache-2.0
//! parigot's error codes (`include/parigot/error.h`) and the status a call
//! ends with.

use std::fmt;

/// A negative `PARIGOT_E*` code from the host or the SDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(pub i32);

impl Error {
    /// The host refused an argument (`PARIGOT_EINVAL`).
    pub const EINVAL: Error = Error(-1);
    /// No such call, or already answered (`PARIGOT_ENOENT`).
    pub const ENOENT: Error = Error(-3);
    /// The call's deadline had passed (`PARIGOT_ECANCELED`).
    pub const ECANCELED: Error = Error(-9);
    /// Not required, not allowed (`PARIGOT_EPERM`).
    pub const EPERM: Error = Error(-11);
    /// Above the limits (`PARIGOT_ETOOBIG`).
    pub const ETOOBIG: Error = Error(-46);
    /// A buffer too small (`PARIGOT_ENOSPC`).
    pub const ENOSPC: Error = Error(-48);
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(strerror(self.0))
    }
}

/// The words C's `parigot_strerror()` gives a code (the same table, so
/// SDK messages built from it match C's byte for byte).
pub fn strerror(err: i32) -> &'static str {
    match err {
        0 => "success",
        -1 => "invalid argument",
        -2 => "out of memory",
        -3 => "no such file or directory",
        -4 => "input/output error",
        -5 => "value out of range",
        -6 => "syntax error",
        -7 => "already exists",
        -8 => "not supported",
        -9 => "operation canceled",
        -10 => "callback failed",
        -11 => "permission denied",
        -12 => "address outside the guest's memory",
        -20 => "not a WebAssembly module",
        -21 => "invalid WebAssembly module",
        -22 => "unsupported WebAssembly feature",
        -23 => "import not provided by the host",
        -24 => "no C compiler found",
        -25 => "compiling the module failed",
        -26 => "module cache entry is corrupt",
        -27 => "loading the compiled module failed",
        -28 => "guest built for another parigot ABI",
        -40 => "protobuf: message truncated",
        -41 => "protobuf: malformed varint",
        -42 => "protobuf: length runs past the end of the input",
        -43 => "protobuf: wrong or invalid wire type",
        -44 => "protobuf: invalid field number",
        -45 => "protobuf: messages nested too deeply",
        -46 => "protobuf: size beyond the configured maximum",
        -47 => "protobuf: string field is not valid UTF-8",
        -48 => "output buffer too small",
        -900 => "fatal error",
        -901 => "guest trapped",
        -902 => "guest exited",
        -903 => "guest interrupted",
        _ => "unknown error",
    }
}

/// gRPC status codes, as calls end with them: all 17 of gRPC's, with its
/// numbers. docs/abi.md ("Status codes") says which one a service answers
/// with for what, and which ones parigot itself produces.
pub mod code {
    /// Success.
    pub const OK: u32 = 0;
    /// The caller gave up.
    pub const CANCELLED: u32 = 1;
    /// The service's own error (its enum value in `app_error`).
    pub const UNKNOWN: u32 = 2;
    /// A bad request, whatever the state.
    pub const INVALID_ARGUMENT: u32 = 3;
    /// No answer in time.
    pub const DEADLINE_EXCEEDED: u32 = 4;
    /// No such thing.
    pub const NOT_FOUND: u32 = 5;
    /// The thing to create exists.
    pub const ALREADY_EXISTS: u32 = 6;
    /// Not required, not allowed.
    pub const PERMISSION_DENIED: u32 = 7;
    /// Too big, too many.
    pub const RESOURCE_EXHAUSTED: u32 = 8;
    /// Not in this state: do not retry until it changes.
    pub const FAILED_PRECONDITION: u32 = 9;
    /// A conflict: retry the whole sequence.
    pub const ABORTED: u32 = 10;
    /// Past the end of a range.
    pub const OUT_OF_RANGE: u32 = 11;
    /// No such method.
    pub const UNIMPLEMENTED: u32 = 12;
    /// A bug.
    pub const INTERNAL: u32 = 13;
    /// Down for now: retry.
    pub const UNAVAILABLE: u32 = 14;
    /// Data lost or corrupt.
    pub const DATA_LOSS: u32 = 15;
    /// Who are you?
    pub const UNAUTHENTICATED: u32 = 16;
}

/// Why a call failed: a gRPC code, the service's own error enum value
/// (with [`code::UNKNOWN`]) and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// A [`code`] other than OK.
    pub code: u32,
    /// With [`code::UNKNOWN`]: the service's error enum value.
    pub app_error: i32,
    /// A short explanation; may be empty.
    pub message: String,
}

impl Status {
    /// A status with no app error.
    pub fn new(code: u32, message: impl Into<String>) -> Status {
        Status {
            code,
            app_error: 0,
            message: message.into(),
        }
    }

    /// The service's own error: [`code::UNKNOWN`] with `app_error`.
    pub fn app(
        app_error: impl Into<i32>,
        message: impl Into<String>,
    ) -> Status {
        Status {
            code: code::UNKNOWN,
            app_error: app_error.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "code {}", self.code)?;
        if self.app_error != 0 {
            write!(f, " (app error {})", self.app_error)?;
        }
        write!(f, ": {}", self.message)
    }
}
