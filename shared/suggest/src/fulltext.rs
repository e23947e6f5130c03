//! Word-based ranking: an in-memory tantivy index scored with BM25.
//!
//! Text goes through one analyzer for documents and questions alike: simple tokenizer, ASCII
//! folding (`café` = `cafe`), lower-casing, English stop words, Porter stemming. The question's
//! terms are searched in the title (boosted: a title states what an article is about), the body
//! and the tags. Customers misspell words, so in short questions a term the index has never seen
//! is replaced by the indexed words within one edit of it (a typo is most likely an unknown
//! word; a known word is taken at face value). Edits are counted on the words as written, not on
//! their stems (`certficate` is one edit from `certificate`, but its stem `certfic` is two from
//! `certif`), so the index keeps a vocabulary field of unstemmed words just for this lookup.
//! Corrections are ordinary BM25 term queries, slightly discounted, so a corrected word scores
//! like a real match instead of the constant score of tantivy's `FuzzyTermQuery`.

use std::collections::BTreeSet;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query,
    TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, Term};

use crate::{DocKind, SuggestError};

const ANALYZER: &str = "en_stem_stop";
const WORDS_ANALYZER: &str = "en_words";
/// Group value indexed for documents that apply to every group.
const ANY_GROUP: &str = "\u{1}any";

/// How the full-text side scores; the defaults are what the evaluation in README.md used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FullTextConfig {
    /// Weight of a title match relative to a body match.
    pub title_boost: f32,
    /// Weight of a tag match relative to a body match.
    pub tags_boost: f32,
    /// Typo correction applies only to questions with at most this many terms: in a long
    /// question the other words carry the meaning and corrections mostly add noise.
    pub fuzzy_max_terms: usize,
    /// ... and only to terms of at least this many characters (short words have too many
    /// one-edit neighbours).
    pub fuzzy_min_chars: usize,
    /// Score multiplier for a corrected term.
    pub fuzzy_weight: f32,
    /// At most this many corrections per misspelt term.
    pub fuzzy_max_expansions: usize,
}

impl Default for FullTextConfig {
    fn default() -> Self {
        Self {
            title_boost: 2.0,
            tags_boost: 1.0,
            fuzzy_max_terms: 6,
            fuzzy_min_chars: 4,
            fuzzy_weight: 0.8,
            fuzzy_max_expansions: 6,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    key: Field,
    title: Field,
    body: Field,
    tags: Field,
    groups: Field,
    /// The document's kind (`article`, `resolution`), for searches limited to some kinds.
    kind: Field,
    /// Unstemmed words of title, body and tags: the dictionary for typo correction.
    words: Field,
}

/// A question after analysis: its terms and, for misspelt terms, their corrections.
#[derive(Debug, Clone, Default)]
pub struct AnalyzedQuery {
    /// Distinct analysed terms, in question order.
    pub terms: Vec<String>,
    /// `(term, corrections)` for terms unknown to the index.
    pub corrections: Vec<(String, Vec<String>)>,
}

impl AnalyzedQuery {
    /// Every term worth highlighting: the question's own and the corrections.
    pub fn highlight_terms(&self) -> Vec<String> {
        let mut all = self.terms.clone();
        for (_, fixes) in &self.corrections {
            all.extend(fixes.iter().cloned());
        }
        all
    }
}

/// A full-text match: the document's key and its BM25 score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FullTextHit {
    pub key: u64,
    pub score: f32,
}

/// The tantivy side of the index. Writes are serialised by a mutex; searches use the last
/// committed snapshot and never wait for writers.
pub struct FullText {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: TextAnalyzer,
    words_analyzer: TextAnalyzer,
    config: FullTextConfig,
}

/// The analyzer shared by indexing, questions and snippet highlighting.
pub fn analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser);
    match StopWordFilter::new(Language::English) {
        Some(stop) => builder
            .filter(stop)
            .filter(Stemmer::new(Language::English))
            .build(),
        // Unreachable with tantivy's bundled English list, but not worth a panic.
        None => builder.filter(Stemmer::new(Language::English)).build(),
    }
}

/// [`analyzer`] without the stemmer: words as written (lower-cased, folded), for typo lookup.
pub fn words_analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser);
    match StopWordFilter::new(Language::English) {
        Some(stop) => builder.filter(stop).build(),
        None => builder.build(),
    }
}

/// Runs `analyzer` over `text`, calling `f(term, byte_start, byte_end)` for each token.
pub fn for_each_token(
    analyzer: &mut TextAnalyzer,
    text: &str,
    mut f: impl FnMut(&str, usize, usize),
) {
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        f(&token.text, token.offset_from, token.offset_to);
    }
}

impl FullText {
    pub fn new(config: FullTextConfig) -> Result<Self, SuggestError> {
        let mut sb = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            id: sb.add_text_field("id", STRING),
            key: sb.add_u64_field("key", INDEXED | FAST),
            title: sb.add_text_field("title", text.clone()),
            body: sb.add_text_field("body", text.clone()),
            tags: sb.add_text_field("tags", text),
            groups: sb.add_text_field("groups", STRING),
            kind: sb.add_text_field("kind", STRING),
            words: sb.add_text_field(
                "words",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(WORDS_ANALYZER)
                        .set_index_option(IndexRecordOption::Basic),
                ),
            ),
        };
        let index = Index::create_in_ram(sb.build());
        index.tokenizers().register(ANALYZER, analyzer());
        index
            .tokenizers()
            .register(WORDS_ANALYZER, words_analyzer());
        // One indexing thread: documents are small, and the other core serves searches.
        let writer = index.writer_with_num_threads(1, 50_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzer: analyzer(),
            words_analyzer: words_analyzer(),
            config,
        })
    }

    /// Queues a document (replacing any earlier one with the same id); visible after
    /// [`commit`](Self::commit).
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &self,
        key: u64,
        id: &str,
        kind: DocKind,
        title: &str,
        body: &str,
        tags: &[String],
        groups: &[String],
    ) -> Result<(), SuggestError> {
        let f = self.fields;
        let mut document = doc!(
            f.id => id,
            f.key => key,
            f.kind => kind.as_str(),
            f.title => title,
            f.body => body,
        );
        for tag in tags {
            document.add_text(f.tags, tag);
            document.add_text(f.words, tag);
        }
        document.add_text(f.words, title);
        document.add_text(f.words, body);
        if groups.is_empty() {
            document.add_text(f.groups, ANY_GROUP);
        }
        for group in groups {
            document.add_text(f.groups, group);
        }
        let writer = self.writer.lock().map_err(|_| SuggestError::Poisoned)?;
        writer.delete_term(Term::from_field_text(f.id, id));
        writer.add_document(document)?;
        Ok(())
    }

    /// Queues the removal of document `id`; effective after [`commit`](Self::commit).
    pub fn delete(&self, id: &str) -> Result<(), SuggestError> {
        let writer = self.writer.lock().map_err(|_| SuggestError::Poisoned)?;
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        Ok(())
    }

    /// Makes queued changes searchable.
    pub fn commit(&self) -> Result<(), SuggestError> {
        let mut writer = self.writer.lock().map_err(|_| SuggestError::Poisoned)?;
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The current snapshot; cheap (an `Arc` clone).
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Analyses a question and finds corrections for its unknown terms.
    pub fn analyze(&self, searcher: &Searcher, text: &str) -> Result<AnalyzedQuery, SuggestError> {
        // The two analyzers differ only by the stemmer, so their tokens pair up one to one.
        let mut words: Vec<String> = Vec::new();
        for_each_token(&mut self.words_analyzer.clone(), text, |w, _, _| {
            words.push(w.to_string())
        });
        let mut stems: Vec<String> = Vec::new();
        for_each_token(&mut self.analyzer.clone(), text, |t, _, _| {
            stems.push(t.to_string())
        });
        let paired = words.len() == stems.len();

        let mut terms: Vec<String> = Vec::new();
        let mut word_of: Vec<&str> = Vec::new();
        for (i, stem) in stems.iter().enumerate() {
            if !terms.contains(stem) {
                terms.push(stem.clone());
                word_of.push(if paired { &words[i] } else { stem });
            }
        }

        let mut corrections = Vec::new();
        if terms.len() <= self.config.fuzzy_max_terms {
            let f = self.fields;
            for (term, word) in terms.iter().zip(word_of) {
                if word.chars().count() < self.config.fuzzy_min_chars {
                    continue;
                }
                let mut known = false;
                for field in [f.title, f.body, f.tags] {
                    if searcher.doc_freq(&Term::from_field_text(field, term))? > 0 {
                        known = true;
                        break;
                    }
                }
                if known {
                    continue;
                }
                let fixes = self.neighbours(searcher, word)?;
                if !fixes.is_empty() {
                    corrections.push((term.clone(), fixes));
                }
            }
        }
        Ok(AnalyzedQuery { terms, corrections })
    }

    /// Stems of the indexed words within one edit (a transposition counts as one) of `word`,
    /// most frequent first, at most `fuzzy_max_expansions`.
    fn neighbours(&self, searcher: &Searcher, word: &str) -> Result<Vec<String>, SuggestError> {
        let f = self.fields;
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(f.words, word), 1, true).automaton()?;
        let mut found: BTreeSet<String> = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(f.words)?;
            let mut stream = inverted
                .terms()
                .search(&automaton)
                .into_stream()
                .map_err(|e| SuggestError::Index(e.to_string()))?;
            while let Some((bytes, _)) = stream.next() {
                if let Ok(s) = std::str::from_utf8(bytes) {
                    found.insert(s.to_string());
                }
            }
        }
        let mut analyzer = self.analyzer.clone();
        let mut ranked: Vec<(u64, String)> = Vec::with_capacity(found.len());
        for w in found {
            let mut stem = None;
            for_each_token(&mut analyzer, &w, |t, _, _| stem = Some(t.to_string()));
            let Some(stem) = stem else { continue };
            if ranked.iter().any(|(_, s)| *s == stem) {
                continue;
            }
            let mut df = 0;
            for field in [f.title, f.body, f.tags] {
                df += searcher.doc_freq(&Term::from_field_text(field, &stem))?;
            }
            if df > 0 {
                ranked.push((df, stem));
            }
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        ranked.truncate(self.config.fuzzy_max_expansions);
        Ok(ranked.into_iter().map(|(_, t)| t).collect())
    }

    /// Per-field term clauses for one term, boosted by `weight`.
    fn term_clauses(&self, term: &str, weight: f32) -> Vec<Box<dyn Query>> {
        let f = self.fields;
        [
            (f.title, self.config.title_boost),
            (f.body, 1.0),
            (f.tags, self.config.tags_boost),
        ]
        .into_iter()
        .filter(|&(_, boost)| boost > 0.0)
        .map(|(field, boost)| {
            let tq = TermQuery::new(
                Term::from_field_text(field, term),
                IndexRecordOption::WithFreqs,
            );
            Box::new(BoostQuery::new(Box::new(tq), boost * weight)) as Box<dyn Query>
        })
        .collect()
    }

    /// The `k` best BM25 matches for `query` among documents of `kinds`, restricted to `group`
    /// when given.
    pub fn search(
        &self,
        searcher: &Searcher,
        query: &AnalyzedQuery,
        group: Option<&str>,
        kinds: &[DocKind],
        k: usize,
    ) -> Result<Vec<FullTextHit>, SuggestError> {
        if query.terms.is_empty() || k == 0 || kinds.is_empty() {
            return Ok(Vec::new());
        }
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &query.terms {
            if let Some((_, fixes)) = query.corrections.iter().find(|(t, _)| t == term) {
                // Best-matching correction only: three spellings of one word are one word.
                let alternatives: Vec<Box<dyn Query>> = fixes
                    .iter()
                    .map(|fix| {
                        Box::new(BooleanQuery::union(
                            self.term_clauses(fix, self.config.fuzzy_weight),
                        )) as Box<dyn Query>
                    })
                    .collect();
                should.push((
                    Occur::Should,
                    Box::new(DisjunctionMaxQuery::new(alternatives)),
                ));
            } else {
                for clause in self.term_clauses(term, 1.0) {
                    should.push((Occur::Should, clause));
                }
            }
        }
        let text_query: Box<dyn Query> = Box::new(BooleanQuery::new(should));
        // Filters score 0: they must not change the ranking.
        let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(group) = group {
            let allowed = self.any_of(self.fields.groups, &[group, ANY_GROUP]);
            filters.push((Occur::Must, Box::new(ConstScoreQuery::new(allowed, 0.0))));
        }
        if !DocKind::ALL.iter().all(|k| kinds.contains(k)) {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            let allowed = self.any_of(self.fields.kind, &names);
            filters.push((Occur::Must, Box::new(ConstScoreQuery::new(allowed, 0.0))));
        }
        let query: Box<dyn Query> = if filters.is_empty() {
            text_query
        } else {
            filters.push((Occur::Must, text_query));
            Box::new(BooleanQuery::new(filters))
        };
        let top = searcher.search(&query, &TopDocs::with_limit(k).order_by_score())?;
        let mut columns: Vec<Option<tantivy::columnar::Column<u64>>> =
            vec![None; searcher.segment_readers().len()];
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let slot = &mut columns[address.segment_ord as usize];
            if slot.is_none() {
                *slot = Some(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .u64("key")?,
                );
            }
            if let Some(key) = slot.as_ref().and_then(|c| c.first(address.doc_id)) {
                hits.push(FullTextHit { key, score });
            }
        }
        Ok(hits)
    }

    /// Matches documents whose untokenised `field` holds any of `values`.
    fn any_of(&self, field: Field, values: &[&str]) -> Box<dyn Query> {
        Box::new(BooleanQuery::union(
            values
                .iter()
                .map(|v| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect(),
        ))
    }

    /// Byte ranges of `text` whose analysed token is one of `terms`, tagged with the term's index
    /// in `terms` (for snippet selection and highlighting).
    pub fn match_ranges(&self, text: &str, terms: &[String]) -> Vec<(usize, usize, u32)> {
        let mut analyzer = self.analyzer.clone();
        let mut out = Vec::new();
        for_each_token(&mut analyzer, text, |t, start, end| {
            if let Some(i) = terms.iter().position(|x| x == t) {
                out.push((start, end, i as u32));
            }
        });
        out
    }

    /// Number of live documents in the committed snapshot.
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// The underlying tantivy index (for diagnostics).
    pub fn index(&self) -> &Index {
        &self.index
    }
}
