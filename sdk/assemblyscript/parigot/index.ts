// sdk/assemblyscript/parigot/index.ts: the SDK's public face, imported as
// "parigot" (asc --path <source>/sdk/assemblyscript; cmake's pg_as_guest
// passes it). Generated code and programs import everything from here.
export * from "./guest";
export * from "./ctx";
export * from "./pb";
export * from "./testing";
