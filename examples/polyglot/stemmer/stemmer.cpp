// SPDX-License-Identifier: Apache-2.0
//
// examples/polyglot/stemmer/stemmer.cpp: the polyglot.v1.Stemmer service,
// in C++: Porter's 1980 suffix-stripping stemmer ("running" -> "run",
// "cities" -> "citi", "relational" -> "relat"). It is the end of the
// example's chain (report in C -> Summarizer in Rust -> WordCounter in
// AssemblyScript -> here) and shows the C SDK and the generated C code
// used from C++ with libc++.
#include <string>
#include <vector>

#include "parigot/guest.h"
#include "polyglot/v1/text.pg.h"

namespace {

// Porter's measure and conditions, on a lower-case ASCII word.
class Porter {
public:
  explicit Porter(std::string w) : w_(std::move(w)) {}

  std::string stem() {
    if (w_.size() <= 2)
      return w_;
    step1ab();
    step1c();
    step2();
    step3();
    step4();
    step5();
    return w_;
  }

private:
  std::string w_;

  bool consonant(size_t i) const {
    switch (w_[i]) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
      return false;
    case 'y':
      return i == 0 || !consonant(i - 1);
    default:
      return true;
    }
  }

  // m in [C](VC)^m[V] of the first n letters.
  int measure(size_t n) const {
    int m = 0;
    size_t i = 0;
    while (i < n && consonant(i))
      i++;
    while (i < n) {
      while (i < n && !consonant(i))
        i++;
      if (i == n)
        break;
      while (i < n && consonant(i))
        i++;
      m++;
    }
    return m;
  }

  bool has_vowel(size_t n) const {
    for (size_t i = 0; i < n; i++)
      if (!consonant(i))
        return true;
    return false;
  }

  bool double_consonant(size_t n) const {
    return n >= 2 && w_[n - 1] == w_[n - 2] && consonant(n - 1);
  }

  // *o: the first n letters end consonant-vowel-consonant, the last not
  // w, x or y.
  bool cvc(size_t n) const {
    if (n < 3 || !consonant(n - 1) || consonant(n - 2) || !consonant(n - 3))
      return false;
    char c = w_[n - 1];
    return c != 'w' && c != 'x' && c != 'y';
  }

  bool ends(const char *suffix) const {
    std::string s(suffix);
    return w_.size() >= s.size() &&
           w_.compare(w_.size() - s.size(), s.size(), s) == 0;
  }

  size_t stem_len(const char *suffix) const {
    return w_.size() - std::string(suffix).size();
  }

  void replace(const char *suffix, const char *with) {
    w_.resize(stem_len(suffix));
    w_ += with;
  }

  // Replaces the first suffix of the table that the word ends with, when
  // the stem before it has a measure above min_m.
  struct rule {
    const char *suffix, *with;
  };
  template <size_t N> void rules(const rule (&table)[N], int min_m) {
    for (const rule &r : table)
      if (ends(r.suffix)) {
        if (measure(stem_len(r.suffix)) > min_m)
          replace(r.suffix, r.with);
        return;
      }
  }

  void step1ab() {
    if (ends("sses"))
      replace("sses", "ss");
    else if (ends("ies"))
      replace("ies", "i");
    else if (!ends("ss") && ends("s"))
      replace("s", "");
    if (ends("eed")) {
      if (measure(stem_len("eed")) > 0)
        replace("eed", "ee");
      return;
    }
    const char *cut = ends("ed") && has_vowel(stem_len("ed"))     ? "ed"
                      : ends("ing") && has_vowel(stem_len("ing")) ? "ing"
                                                                  : nullptr;
    if (cut == nullptr)
      return;
    replace(cut, "");
    size_t n = w_.size();
    if (ends("at") || ends("bl") || ends("iz"))
      w_ += 'e';
    else if (double_consonant(n) && !ends("l") && !ends("s") && !ends("z"))
      w_.pop_back();
    else if (measure(n) == 1 && cvc(n))
      w_ += 'e';
  }

  void step1c() {
    if (ends("y") && has_vowel(w_.size() - 1))
      w_.back() = 'i';
  }

  void step2() {
    static const rule table[] = {
        {"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"},
        {"anci", "ance"},   {"izer", "ize"},    {"abli", "able"},
        {"alli", "al"},     {"entli", "ent"},   {"eli", "e"},
        {"ousli", "ous"},   {"ization", "ize"}, {"ation", "ate"},
        {"ator", "ate"},    {"alism", "al"},    {"iveness", "ive"},
        {"fulness", "ful"}, {"ousness", "ous"}, {"aliti", "al"},
        {"iviti", "ive"},   {"biliti", "ble"}};
    rules(table, 0);
  }

  void step3() {
    static const rule table[] = {
        {"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
        {"ical", "ic"},  {"ful", ""},   {"ness", ""}};
    rules(table, 0);
  }

  void step4() {
    static const char *const suffixes[] = {
        "al",  "ance",  "ence", "er",  "ic",  "able", "ible",
        "ant", "ement", "ment", "ent", "ion", "ou",   "ism",
        "ate", "iti",   "ous",  "ive", "ize"};
    for (const char *s : suffixes) {
      if (!ends(s))
        continue;
      size_t n = stem_len(s);
      // "ement" before "ment" before "ent": the longest match decides.
      if (std::string(s) == "ion" &&
          !(n > 0 && (w_[n - 1] == 's' || w_[n - 1] == 't')))
        return;
      if (measure(n) > 1)
        w_.resize(n);
      return;
    }
  }

  void step5() {
    size_t n = w_.size();
    if (ends("e")) {
      int m = measure(n - 1);
      if (m > 1 || (m == 1 && !cvc(n - 1)))
        w_.pop_back();
    }
    if (ends("ll") && measure(w_.size()) > 1)
      w_.pop_back();
  }
};

// The WordCounter's words: lower-case letters, with apostrophes inside
// ("it's"), which the rules treat as consonants.
bool is_word(const parigot_pb_bytes &w) {
  for (size_t i = 0; i < w.len; i++)
    if ((w.data[i] < 'a' || w.data[i] > 'z') && w.data[i] != '\'')
      return false;
  return w.len > 0;
}

void stem(parigot_call *call, const polyglot_v1_StemRequest *req, void *) {
  std::vector<std::string> stems;
  stems.reserve(req->words_count);
  for (size_t i = 0; i < req->words_count; i++) {
    const parigot_pb_bytes &w = req->words[i];
    if (!is_word(w)) {
      parigot_call_fail(call, PARIGOT_CODE_INVALID_ARGUMENT, 0,
                        "a word is lower-case ASCII letters and apostrophes");
      return;
    }
    stems.push_back(
        Porter(std::string(reinterpret_cast<const char *>(w.data), w.len))
            .stem());
  }
  std::vector<parigot_pb_bytes> out(stems.size());
  for (size_t i = 0; i < stems.size(); i++) {
    out[i].data = reinterpret_cast<uint8_t *>(&stems[i][0]);
    out[i].len = stems[i].size();
  }
  polyglot_v1_StemResponse resp;
  polyglot_v1_StemResponse_init(&resp);
  resp.stems = out.data();
  resp.stems_count = out.size();
  polyglot_v1_Stemmer_Stem_respond(call, &resp);
}

const polyglot_v1_Stemmer_handlers handlers = {stem, nullptr};

} // namespace

extern "C" void parigot_guest_declare(void) {
  polyglot_v1_Stemmer_export(&handlers);
}

extern "C" void parigot_guest_start(void) {}
