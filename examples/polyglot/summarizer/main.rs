// SPDX-License-Identifier: Apache-2.0
//! examples/polyglot/summarizer/main.rs: polyglot.v1.Summarizer in Rust.
//! It checks the request, counts the text's sentences itself, has the
//! WordCounter (AssemblyScript) count its words and stems, and answers
//! with the most frequent stems (by count, then by stem), the word and
//! distinct-stem counts and the words per sentence.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::{code, Call, Status};
use pb::polyglot::v1 as p;

const MAX_TOP: u32 = 20;

/// Sentences end at '.', '!' or '?', or at the text's end; a stretch with
/// no letter in it ("...", "42", the space after the last '.') is not
/// one, as words are made of letters.
fn count_sentences(text: &str) -> u32 {
    text.split(|c| c == '.' || c == '!' || c == '?')
        .filter(|s| s.chars().any(|c| c.is_alphabetic()))
        .count() as u32
}

/// The answer to `req`, from the WordCounter's counts.
fn summarize(
    req: &p::SummarizeRequest,
    counted: p::CountResponse,
) -> Result<p::SummarizeResponse, Status> {
    if counted.words == 0 {
        return Err(empty_text());
    }
    let mut top = counted.counts;
    let distinct = top.len() as u32;
    top.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.stem.cmp(&b.stem)));
    top.truncate(req.top as usize);
    // A text with words has a sentence, even one the counter's idea of a
    // word sees and ours does not.
    let sentences = count_sentences(&req.text).max(1);
    Ok(p::SummarizeResponse {
        top,
        sentences,
        words: counted.words,
        distinct,
        words_per_sentence: counted.words as f64 / sentences as f64,
        ..Default::default()
    })
}

fn empty_text() -> Status {
    Status::app(
        p::SummaryError::SUMMARY_ERROR_EMPTY_TEXT,
        "no words in the text",
    )
}

struct Summarizer;

impl p::Summarizer for Summarizer {
    fn summarize(
        &mut self,
        call: Call<p::SummarizeResponse>,
        req: p::SummarizeRequest,
    ) {
        if !req.text.chars().any(|c| c.is_alphabetic()) {
            let _ = call.fail_with(&empty_text());
            return;
        }
        if req.top == 0 || req.top > MAX_TOP {
            let _ = call.fail(
                code::UNKNOWN,
                p::SummaryError::SUMMARY_ERROR_TOP_OUT_OF_RANGE,
                "top must be 1 to 20",
            );
            return;
        }
        // The count must come back while our own caller still waits.
        parigot::next_call_timeout(call.time_left().max(1));
        let count = p::CountRequest {
            text: req.text.clone(),
            ..Default::default()
        };
        p::WordCounterClient.count(&count).then(move |r| {
            let answer = r
                .map_err(|st| Status {
                    code: st.code,
                    app_error: 0,
                    message: format!(
                        "WordCounter.Count failed: {}",
                        st.message
                    ),
                })
                .and_then(|counted| summarize(&req, counted));
            let _ = match answer {
                Ok(resp) => call.respond(&resp),
                Err(st) => call.fail_with(&st),
            };
        });
    }
}

fn declare() {
    p::WordCounterClient::require();
    p::export_summarizer(Summarizer);
}

fn start() {
    parigot::log!(Info, "ready");
}

parigot::guest! { declare: declare, start: start }
