// examples/polyglot/wordcounter/wordcounter.ts: the polyglot.v1.WordCounter
// service, in AssemblyScript. It splits a text into lower-case words,
// leaves out stop words, has the Stemmer (C++) stem the rest in one call,
// and answers how often each stem occurs, sorted by stem.
//
// The answer comes when the Stemmer's does: the call and the counts made
// so far travel to the continuation in a context object, as AssemblyScript
// functions capture nothing.
import {
  Call, Code, Level, Status, compareUtf8, guest, log, nextCallTimeout,
} from "parigot";
import {
  CountRequest, CountResponse, StemCount, StemRequest, StemResponse,
  Stemmer, WordCounter, WordCounterServer,
} from "polyglot/v1/text.pg";
export * from "parigot/exports";

// Common English words that say little about a text: counted as words,
// never stemmed.
const STOP_WORDS: Array<string> = [
  "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from",
  "has", "have", "i", "in", "is", "it", "its", "not", "of", "on", "or",
  "that", "the", "this", "to", "was", "we", "which", "with", "you",
];
const stopWords = new Set<string>();

/** The words of @p text: maximal runs of ASCII letters and apostrophes,
 * lower-cased, without apostrophes at either end. */
function split(text: string): Array<string> {
  const words = new Array<string>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && !isWordChar(text.charCodeAt(i))) i++;
    let start = i;
    while (i < n && isWordChar(text.charCodeAt(i))) i++;
    let end = i;
    while (start < end && text.charCodeAt(start) == 0x27) start++;
    while (end > start && text.charCodeAt(end - 1) == 0x27) end--;
    if (start < end) words.push(text.substring(start, end).toLowerCase());
  }
  return words;
}

function isWordChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x27;
}

/** A Count call waiting for the Stemmer. */
class Pending {
  constructor(public call: Call<CountResponse>, public words: u32,
              public stopWords: u32, public stemmed: u32) {}
}

function answer(p: Pending, stems: Array<string>): void {
  const counts = new Map<string, u32>();
  for (let i = 0; i < stems.length; i++) {
    const s = stems[i];
    counts.set(s, counts.has(s) ? counts.get(s) + 1 : 1);
  }
  const keys = counts.keys();
  keys.sort((a: string, b: string): i32 => compareUtf8(a, b));
  const resp = new CountResponse();
  for (let i = 0; i < keys.length; i++) {
    const c = new StemCount();
    c.stem = keys[i];
    c.count = counts.get(keys[i]);
    resp.counts.push(c);
  }
  resp.words = p.words;
  resp.stopWords = p.stopWords;
  p.call.respond(resp);
}

function stemmed(resp: StemResponse, p: Pending): void {
  if (<u32>resp.stems.length != p.stemmed) {
    p.call.fail(Code.INTERNAL, 0, "the Stemmer answered " +
                resp.stems.length.toString() + " stems for " +
                p.stemmed.toString() + " words");
    return;
  }
  answer(p, resp.stems);
}

function stemFailed(st: Status, p: Pending): void {
  log(Level.WARN, "Stemmer.Stem failed: " + st.message);
  p.call.fail(st.code, 0, st.message);
}

class Counter extends WordCounterServer {
  count(call: Call<CountResponse>, req: CountRequest): void {
    const words = split(req.text);
    const stem = new StemRequest();
    for (let i = 0; i < words.length; i++)
      if (!stopWords.has(words[i])) stem.words.push(words[i]);
    const p = new Pending(call, <u32>words.length,
                          <u32>(words.length - stem.words.length),
                          <u32>stem.words.length);
    if (stem.words.length == 0) {
      answer(p, []);
      return;
    }
    // The Stemmer's answer is useless once our caller stops waiting. A
    // failure to start the call reaches stemFailed too.
    const left = call.timeLeft();
    if (left > 0) nextCallTimeout(left);
    Stemmer.stem(stem, p, stemmed, stemFailed);
  }
}

guest((): void => {
  for (let i = 0; i < STOP_WORDS.length; i++) stopWords.add(STOP_WORDS[i]);
  Stemmer.require();
  WordCounter.serve(new Counter());
}, (): void => {
  log(Level.INFO, "ready");
});
