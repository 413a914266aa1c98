// sdk/assemblyscript/parigot/ctx.ts: the call context (docs/abi.md, "The
// call context"): who the event being handled is for. In a handler it is
// the user of the call being answered; in a continuation (a call's ok or
// fail function) the user of the call it continues, as the kernel hands
// the RESPONSE event the context the call was made with. Calls this guest
// makes carry the same user with nothing to copy: the kernel hands it
// down.
//
// The user is read from the kernel (context_read) the first time it is
// asked for in an event and kept until the event ends, as sdk/c/guest.c
// does; most events never ask. State is module-level, as guest.ts's.
import { abi_context_read, abi_context_set_user } from "./abi";

// The context record's layout, as include/parigot/abi.h defines it
// (tests/abi/test_abi.c holds the two equal): its flags, the byte offsets
// of its header's fields, the header's size and the longest strings.
const CTX_HAS_USER: u32 = 1;
const CTX_OFF_FLAGS: usize = 0;
const CTX_OFF_USER_ID_LEN: usize = 4;
const CTX_OFF_USER_NAME_LEN: usize = 8;
const CTX_OFF_ROLES_LEN: usize = 12;
const CTX_HEADER_SIZE: u32 = 48;
const CTX_USER_ID_MAX: u32 = 64;
const CTX_USER_NAME_MAX: u32 = 128;
const CTX_ROLES_MAX: u32 = 512;

const RECORD_CAP: u32 =
  CTX_HEADER_SIZE + CTX_USER_ID_MAX + CTX_USER_NAME_MAX + CTX_ROLES_MAX;
const record = memory.data(<i32>RECORD_CAP);
const recordLen = memory.data(4);

/** Who a call is for: the user logged in where it came from. */
export class User {
  constructor(
    public readonly id: string,            // the login, unique in the app
    public readonly name: string,          // the name to show
    public readonly roles: Array<string>,  // in the order they came
  ) {}

  /** Whether the user has role @p role. */
  hasRole(role: string): bool {
    for (let i = 0; i < this.roles.length; i++)
      if (this.roles[i] == role) return true;
    return false;
  }
}

let isRead = false;
let userNow: User | null = null;

/** Forgets the user read in the last event: the SDK's own (guest.ts calls
 * it at each event's start), not for programs. */
export function resetCallUser(): void {
  isRead = false;
  userNow = null;
}

function textAt(p: usize, len: u32): string {
  return len == 0 ? "" : String.UTF8.decodeUnsafe(p, <usize>len, false);
}

/** The user in the record the kernel wrote, its lengths checked against
 * its size (values from the host are not trusted); null if none. */
function readUser(): User | null {
  store<u32>(recordLen, 0);
  if (abi_context_read(record, RECORD_CAP, recordLen) != 0) return null;
  const len = load<u32>(recordLen);
  if (len < CTX_HEADER_SIZE || len > RECORD_CAP) return null;
  if ((load<u32>(record + CTX_OFF_FLAGS) & CTX_HAS_USER) == 0) return null;
  const idLen = load<u32>(record + CTX_OFF_USER_ID_LEN);
  const nameLen = load<u32>(record + CTX_OFF_USER_NAME_LEN);
  const rolesLen = load<u32>(record + CTX_OFF_ROLES_LEN);
  // u64 sums cannot wrap.
  if (<u64>CTX_HEADER_SIZE + <u64>idLen + <u64>nameLen + <u64>rolesLen >
      <u64>len) return null;
  const id = record + <usize>CTX_HEADER_SIZE;
  const name = id + <usize>idLen;
  const roles = textAt(name + <usize>nameLen, rolesLen);
  const list = new Array<string>();
  if (roles.length > 0) {
    const parts = roles.split(",");
    for (let i = 0; i < parts.length; i++)
      if (parts[i].length > 0) list.push(parts[i]);
  }
  return new User(textAt(id, idLen), textAt(name, nameLen), list);
}

/** The user the event being handled is for (see above): null when nobody
 * is logged in, outside an event, and in the start function. */
export function callUser(): User | null {
  if (!isRead) {
    userNow = readUser();
    isRead = true;
  }
  return userNow;
}

/** Whether the user of the event being handled has role @p role; false
 * when nobody is logged in. */
export function callUserHasRole(role: string): bool {
  const u = callUser();
  return u != null && u.hasRole(role);
}

/** Makes the calls this guest starts from now until the event ends for
 * another user: what a login service does once it has checked who is
 * there. @p id "" is nobody (logged out); @p name "" is the id. Only a
 * guest the manifest marks `authenticates = true` may.
 * @returns 0, or -11 (EPERM: the manifest does not let this guest), -1
 * (EINVAL: a string too long or with a byte it may not hold, a role
 * empty or with ',' in it, or outside an event). */
export function setCallUser(id: string, name: string = "",
                            roles: Array<string> | null = null): i32 {
  let joined = "";
  if (roles != null) {
    for (let i = 0; i < roles.length; i++) {
      const r = roles[i];
      if (r.length == 0 || r.includes(",")) return -1; // PARIGOT_EINVAL
      joined = i == 0 ? r : joined + "," + r;
    }
  }
  const i = String.UTF8.encode(id, false);
  const n = String.UTF8.encode(name.length > 0 ? name : id, false);
  const r = String.UTF8.encode(joined, false);
  const rc = abi_context_set_user(changetype<usize>(i), <u32>i.byteLength,
                                  changetype<usize>(n), <u32>n.byteLength,
                                  changetype<usize>(r), <u32>r.byteLength);
  resetCallUser(); // read again: it may have changed
  return rc;
}
