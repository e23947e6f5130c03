//! `suggest-bench`: build time, warm search latency and cold start of the suggestion engine on a
//! synthetic 10,000-article knowledge base. Run it optimised:
//!
//! ```text
//! cargo run --release -p chatdesk-suggest --bin suggest-bench
//! ```
//!
//! Embedding 10,000 articles through the model takes minutes on two cores, so the article
//! embeddings are computed once and cached under `.cache/suggest-bench/` (keyed by a hash of
//! the texts); the time that took is stored with them and reported separately. In production
//! the same holds: article embeddings are computed when an article is saved, not at start-up.

mod corpus;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chatdesk_suggest::embedder::EMBEDDING_DIM;
use chatdesk_suggest::{DocKind, Embedder, Ranking, SearchOptions, SuggestQuery, SuggestionIndex};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Benchmark the suggestion engine on a synthetic knowledge base")]
struct Args {
    /// Number of articles.
    #[arg(long, default_value_t = 10_000)]
    docs: usize,
    /// Number of timed warm searches.
    #[arg(long, default_value_t = 1_000)]
    queries: usize,
    /// Suggestions per search.
    #[arg(long, default_value_t = 5)]
    limit: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Model directory (default: $CHATDESK_MODEL_DIR or .cache/models/all-MiniLM-L6-v2).
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// Full text only.
    #[arg(long)]
    no_model: bool,
    /// Where article embeddings are cached (default: .cache/suggest-bench next to the model
    /// cache, i.e. in the repository's .cache/).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Recompute the article embeddings even if cached.
    #[arg(long)]
    recompute: bool,
}

fn main() -> ExitCode {
    let process_start = Instant::now();
    pin_rayon_threads();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse(), process_start) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("suggest-bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn summary(label: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    let mean = samples.iter().sum::<f64>() / samples.len().max(1) as f64;
    println!(
        "{label:<44} p50 {:>7.2} ms   p99 {:>7.2} ms   mean {:>7.2} ms   max {:>7.2} ms   (n={})",
        percentile(&samples, 50.0),
        percentile(&samples, 99.0),
        mean,
        samples.last().copied().unwrap_or(0.0),
        samples.len()
    );
}

fn fnv1a(texts: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for t in texts {
        for b in t.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Other processes on the machine skew latency figures; print the load so a reader can tell.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Article embeddings and how long computing them took (now, or when the cache was written).
struct ArticleEmbeddings {
    vectors: Vec<Vec<f32>>,
    seconds: f64,
    cached: bool,
}

/// Loads cached embeddings, or computes and caches them. Returns the vectors and the seconds
/// the computation took (now or when the cache was written).
fn article_embeddings(
    embedder: &Embedder,
    texts: &[String],
    cache_dir: &Path,
    recompute: bool,
) -> Result<ArticleEmbeddings, Box<dyn std::error::Error>> {
    let hash = fnv1a(texts);
    let base = cache_dir.join(format!("articles-{}-{hash:016x}", texts.len()));
    let data_path = base.with_extension("f32");
    let meta_path = base.with_extension("json");
    if !recompute {
        if let (Ok(bytes), Ok(meta)) = (
            std::fs::read(&data_path),
            std::fs::read_to_string(&meta_path),
        ) {
            if bytes.len() == texts.len() * EMBEDDING_DIM * 4 {
                let seconds = serde_json::from_str::<serde_json::Value>(&meta)?
                    .get("seconds")
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or(f64::NAN);
                let floats: Vec<f32> = bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                let vectors = floats
                    .chunks_exact(EMBEDDING_DIM)
                    .map(<[f32]>::to_vec)
                    .collect();
                return Ok(ArticleEmbeddings {
                    vectors,
                    seconds,
                    cached: true,
                });
            }
        }
    }
    eprintln!(
        "embedding {} articles (cached afterwards in {})...",
        texts.len(),
        cache_dir.display()
    );
    let started = Instant::now();
    let mut vectors = Vec::with_capacity(texts.len());
    for (i, chunk) in texts.chunks(512).enumerate() {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        vectors.extend(embedder.embed_batch(&refs)?);
        eprintln!(
            "  {}/{} ({:.0} s)",
            (i * 512 + chunk.len()).min(texts.len()),
            texts.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    std::fs::create_dir_all(cache_dir)?;
    let mut bytes = Vec::with_capacity(texts.len() * EMBEDDING_DIM * 4);
    for v in &vectors {
        for x in v {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
    std::fs::write(&data_path, bytes)?;
    std::fs::write(
        &meta_path,
        serde_json::json!({ "seconds": seconds, "articles": texts.len() }).to_string(),
    )?;
    Ok(ArticleEmbeddings {
        vectors,
        seconds,
        cached: false,
    })
}

fn run(args: Args, process_start: Instant) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "suggest-bench: {} articles, {} warm searches, limit {}, {} CPU threads (RAYON_NUM_THREADS={})",
        args.docs,
        args.queries,
        args.limit,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset".into())
    );

    println!("load average (1/5/15 min) at the start: {}", load_average());

    // Cold start, part 1: the model.
    let embedder = if args.no_model {
        None
    } else {
        let dir =
            args.model_dir.clone().or_else(Embedder::locate).ok_or(
                "embedding model not found: run scripts/fetch-model.sh (or pass --no-model)",
            )?;
        Some(Arc::new(Embedder::load(&dir)?))
    };
    let model_loaded = process_start.elapsed();

    let mut docs = corpus::articles(args.docs, args.seed);
    let corpus_ready = process_start.elapsed();

    // Article embeddings: cached (a production KB stores them with the articles).
    let mut embed_note = String::from("no model");
    if let Some(embedder) = &embedder {
        let helper = SuggestionIndex::new(Some(Arc::clone(embedder)))?;
        let texts: Vec<String> = docs
            .iter()
            .map(|d| helper.embedding_text(&d.title, &d.body))
            .collect();
        let cache_dir = args.cache_dir.clone().unwrap_or_else(|| {
            Embedder::locate()
                .and_then(|m| {
                    m.parent()
                        .and_then(Path::parent)
                        .map(|c| c.join("suggest-bench"))
                })
                .unwrap_or_else(|| PathBuf::from(".cache/suggest-bench"))
        });
        let ArticleEmbeddings {
            vectors,
            seconds,
            cached,
        } = article_embeddings(embedder, &texts, &cache_dir, args.recompute)?;
        embed_note = format!(
            "{:.1} s for {} articles ({:.1} ms/article){}",
            seconds,
            texts.len(),
            seconds * 1000.0 / texts.len() as f64,
            if cached {
                ", measured when the cache was written"
            } else {
                ""
            }
        );
        for (d, v) in docs.iter_mut().zip(vectors) {
            d.embedding = Some(v);
        }
    }
    let embeddings_ready = process_start.elapsed();

    // Cold start, part 2: the index (tantivy + embedding matrix) and the first answer.
    let build_started = Instant::now();
    let index = SuggestionIndex::build(embedder.clone(), docs)?;
    let build_time = build_started.elapsed();
    let questions = corpus::questions(args.queries + 50, args.seed);
    let first_started = Instant::now();
    let first = index.search(&SuggestQuery {
        text: &questions[0],
        group: None,
        kinds: DocKind::ALL,
        limit: args.limit,
    })?;
    let first_answer = first_started.elapsed();
    let cold_start = process_start.elapsed();

    println!();
    println!(
        "index: {} documents, semantic ranking: {}",
        index.len(),
        index.has_embeddings()
    );
    println!("article embeddings:       {embed_note}");
    println!("model load:               {:>8.1} ms", ms(model_loaded));
    println!(
        "corpus generation:        {:>8.1} ms",
        ms(corpus_ready - model_loaded)
    );
    println!(
        "embeddings from cache:    {:>8.1} ms",
        ms(embeddings_ready - corpus_ready)
    );
    println!(
        "index build:              {:>8.1} ms  (tantivy + matrix, embeddings given)",
        ms(build_time)
    );
    println!("first answer:             {:>8.1} ms", ms(first_answer));
    println!(
        "cold start:               {:>8.1} ms  (process start -> model loaded + index ready + first answer)",
        ms(cold_start)
    );
    println!(
        "first question: {:?} -> {:?}",
        questions[0],
        first.first().map(|s| s.title.as_str())
    );

    // Warm searches: a few untimed to warm caches, then the timed set.
    for q in &questions[1..21] {
        index.search(&SuggestQuery {
            text: q,
            group: None,
            kinds: DocKind::ALL,
            limit: args.limit,
        })?;
    }
    let timed = &questions[50..50 + args.queries];
    let group_of = |i: usize| match i % 4 {
        0 => Some("billing-team"),
        1 => Some("tech-team"),
        _ => None,
    };
    let mut full = Vec::with_capacity(timed.len());
    for (i, q) in timed.iter().enumerate() {
        let t = Instant::now();
        let r = index.search(&SuggestQuery {
            text: q,
            group: group_of(i),
            kinds: DocKind::ALL,
            limit: args.limit,
        })?;
        full.push(ms(t.elapsed()));
        std::hint::black_box(r);
    }
    println!();
    summary("warm search (question embedding included)", full);

    if let Some(embedder) = &embedder {
        let mut embed_only = Vec::with_capacity(timed.len());
        let mut embeddings = Vec::with_capacity(timed.len());
        for q in timed {
            let t = Instant::now();
            let e = embedder.embed_query(q)?;
            embed_only.push(ms(t.elapsed()));
            embeddings.push(e);
        }
        summary("  of which question embedding", embed_only);
        let mut rest = Vec::with_capacity(timed.len());
        for (i, (q, e)) in timed.iter().zip(&embeddings).enumerate() {
            let t = Instant::now();
            let r = index.search_with(
                &SuggestQuery {
                    text: q,
                    group: group_of(i),
                    kinds: DocKind::ALL,
                    limit: args.limit,
                },
                &SearchOptions {
                    ranking: None,
                    query_embedding: Some(e),
                },
            )?;
            rest.push(ms(t.elapsed()));
            std::hint::black_box(r);
        }
        summary("  search without embedding (BM25+scan+fuse)", rest);
        for (label, ranking) in [
            ("    BM25 only (incl. typo correction)", Ranking::FullText),
            (
                "    embedding scan only (10k dot products)",
                Ranking::Semantic,
            ),
        ] {
            let mut part = Vec::with_capacity(timed.len());
            for (i, (q, e)) in timed.iter().zip(&embeddings).enumerate() {
                let t = Instant::now();
                let r = index.search_with(
                    &SuggestQuery {
                        text: q,
                        group: group_of(i),
                        kinds: DocKind::ALL,
                        limit: args.limit,
                    },
                    &SearchOptions {
                        ranking: Some(ranking),
                        query_embedding: Some(e),
                    },
                )?;
                part.push(ms(t.elapsed()));
                std::hint::black_box(r);
            }
            summary(label, part);
        }
    }
    println!("load average (1/5/15 min) at the end: {}", load_average());
    if let Some(rss) = peak_rss_mib() {
        println!("peak RSS: {rss:.0} MiB");
    }
    Ok(())
}

/// candle asks how many threads to use before every matrix product and, unless
/// `RAYON_NUM_THREADS` is set, answers by parsing /proc/cpuinfo each time (about 5% of a
/// question's embedding time in a profile). Setting the variable to the core count changes
/// nothing else. Done first thing in `main`, before any other thread exists.
fn pin_rayon_threads() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::env::set_var("RAYON_NUM_THREADS", cores.to_string());
    }
}
