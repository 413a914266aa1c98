// tests/polyglot/assemblyscript/codec_as.ts: codec.v1.CodecAs, whose
// Reencode answers the request as the generated AssemblyScript codec
// decoded it (unknown fields dropped), encoded again by the same code. The
// cross-language codec test compares its bytes with the C codec's.
import { Call, guest } from "parigot";
import { CodecAs, CodecAsServer } from "codec/v1/codec.pg";
import { Rich } from "parigot/test/v1/rich.pg";
export * from "parigot/exports";

class Reencoder extends CodecAsServer {
  reencode(call: Call<Rich>, req: Rich): void {
    call.respond(req);
  }
}

guest((): void => {
  CodecAs.serve(new Reencoder());
}, (): void => {});
