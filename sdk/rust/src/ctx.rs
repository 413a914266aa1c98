// SPDX-License-Identifier: Apache-2.0
//! The call context (`docs/abi.md`, "The call context"): who the event
//! being handled is for. In a handler it is the user of the call being
//! answered; in a continuation ([`crate::Reply::then`]) the user of the
//! call it continues, for the kernel hands the RESPONSE event the context
//! the call was made with. Calls this guest makes carry the same user with
//! nothing to copy: the kernel hands it down.
//!
//! The user is read from the kernel (`context_read`) the first time it is
//! asked for in an event and kept until the event ends, as `sdk/c/guest.c`
//! does; most events never ask. State is one thread-local, like
//! [`crate::rt`]'s.

use std::cell::RefCell;

use crate::error::Error;
use crate::rt::abi;

// The context record's layout, as include/parigot/abi.h defines it
// (tests/abi/test_abi.c holds the two equal): its flags, the byte offsets
// of its header's fields, the header's size and the longest strings.
const CTX_HAS_USER: u32 = 1;
const CTX_OFF_FLAGS: usize = 0;
const CTX_OFF_USER_ID_LEN: usize = 4;
const CTX_OFF_USER_NAME_LEN: usize = 8;
const CTX_OFF_ROLES_LEN: usize = 12;
const CTX_HEADER_SIZE: usize = 48;
const CTX_USER_ID_MAX: usize = 64;
const CTX_USER_NAME_MAX: usize = 128;
const CTX_ROLES_MAX: usize = 512;

/// Who a call is for: the user logged in where it came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    /// The login, unique in the app.
    pub id: String,
    /// The name to show.
    pub name: String,
    /// The roles (the manifest's `roles` and the app's group file name
    /// them), in the order they came.
    pub roles: Vec<String>,
}

impl User {
    /// Whether the user has role `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

thread_local! {
    // None: not read in this event yet; Some(None): read, nobody.
    static NOW: RefCell<Option<Option<User>>> = const { RefCell::new(None) };
}

/// Forgets the user read in the last event (the event loop, at each
/// event's start).
pub(crate) fn reset() {
    NOW.with(|n| *n.borrow_mut() = None);
}

fn get32(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// The record `context_read` gives, or None outside an event.
fn read_record() -> Option<Vec<u8>> {
    let mut buf = vec![
        0u8;
        CTX_HEADER_SIZE
            + CTX_USER_ID_MAX
            + CTX_USER_NAME_MAX
            + CTX_ROLES_MAX
    ];
    let mut len = 0u32;
    let mut rc = unsafe {
        abi::context_read(buf.as_mut_ptr(), buf.len() as u32, &mut len)
    };
    if rc == Error::ENOSPC.0 && (len as usize) < (1 << 16) {
        // A kernel with longer strings than this SDK knows: read it whole.
        buf.resize(len as usize, 0);
        rc = unsafe {
            abi::context_read(buf.as_mut_ptr(), buf.len() as u32, &mut len)
        };
    }
    let len = len as usize;
    if rc != 0 || len < CTX_HEADER_SIZE || len > buf.len() {
        return None;
    }
    buf.truncate(len);
    Some(buf)
}

/// The user in a record, its lengths checked against its size (values
/// from the host are not trusted).
fn user_of(rec: &[u8]) -> Option<User> {
    if get32(rec, CTX_OFF_FLAGS) as u32 & CTX_HAS_USER == 0 {
        return None;
    }
    let id_len = get32(rec, CTX_OFF_USER_ID_LEN);
    let name_len = get32(rec, CTX_OFF_USER_NAME_LEN);
    let roles_len = get32(rec, CTX_OFF_ROLES_LEN);
    let end = CTX_HEADER_SIZE as u64
        + id_len as u64
        + name_len as u64
        + roles_len as u64;
    if end > rec.len() as u64 {
        return None;
    }
    let text = |from: usize, len: usize| {
        String::from_utf8_lossy(&rec[from..from + len]).into_owned()
    };
    let roles = text(CTX_HEADER_SIZE + id_len + name_len, roles_len);
    Some(User {
        id: text(CTX_HEADER_SIZE, id_len),
        name: text(CTX_HEADER_SIZE + id_len, name_len),
        roles: roles
            .split(',')
            .filter(|r| !r.is_empty())
            .map(String::from)
            .collect(),
    })
}

fn with_user<R>(f: impl FnOnce(Option<&User>) -> R) -> R {
    let is_read = NOW.with(|n| n.borrow().is_some());
    if !is_read {
        let user = read_record().and_then(|rec| user_of(&rec));
        NOW.with(|n| *n.borrow_mut() = Some(user));
    }
    NOW.with(|n| f(n.borrow().as_ref().and_then(|u| u.as_ref())))
}

/// The user the event being handled is for (see the module's page): None
/// when nobody is logged in, outside an event, and in the start function.
pub fn call_user() -> Option<User> {
    with_user(|u| u.cloned())
}

/// Whether the user of the event being handled has role `role`; false
/// when nobody is logged in.
pub fn call_user_has_role(role: &str) -> bool {
    with_user(|u| u.map_or(false, |u| u.has_role(role)))
}

/// Makes the calls this guest starts from now until the event ends for
/// another user: what a login service does once it has checked who is
/// there. `id` "" is nobody (logged out); `name` "" is the id. Only a
/// guest the manifest marks `authenticates = true` may:
/// Err([`Error::EPERM`]) otherwise; Err([`Error::EINVAL`]) for a string
/// too long or with a byte it may not hold (a role with ',' in it, an
/// empty role), or outside an event.
pub fn set_call_user(
    id: &str,
    name: &str,
    roles: &[&str],
) -> Result<(), Error> {
    if roles.iter().any(|r| r.is_empty() || r.contains(',')) {
        return Err(Error::EINVAL);
    }
    let name = if name.is_empty() { id } else { name };
    let roles = roles.join(",");
    let rc = unsafe {
        abi::context_set_user(
            id.as_ptr(),
            id.len() as u32,
            name.as_ptr(),
            name.len() as u32,
            roles.as_ptr(),
            roles.len() as u32,
        )
    };
    reset(); // read again: it may have changed
    if rc < 0 {
        Err(Error(rc))
    } else {
        Ok(())
    }
}
