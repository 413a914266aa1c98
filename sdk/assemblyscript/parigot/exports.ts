// sdk/assemblyscript/parigot/exports.ts: the functions the kernel calls
// (docs/abi.md). asc exports only what the entry file exports, so every
// guest's entry file has the line
//   export * from "parigot/exports";
// (_initialize is the module's start, exported by asc --exportStart.)
export { parigot_abi_v2, parigot_main, parigot_event } from "./guest";
