//! `suggest-eval`: ranking quality of the suggestion engine on an FAQ collection.
//!
//! ```text
//! suggest-eval --collection tests/data/faq/hosting.json [--method fused|bm25|embed|all] [--min-map 0.8]
//! ```
//! Prints MAP, MRR, P@3 and NDCG@3 over the top 10 (definitions in the crate README) and exits
//! with status 1 when the MAP of the evaluated method (for `all`: the default fused ranking) is
//! below `--min-map`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use chatdesk_suggest::eval::{self, Collection, Metrics};
use chatdesk_suggest::{Embedder, Ranking, SuggestConfig, SuggestionIndex};
use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Method {
    /// The production ranking (configured fusion of words and meaning).
    Fused,
    /// BM25 only.
    Bm25,
    /// Embeddings only.
    Embed,
    /// Every ranking compared in the README (BM25, embeddings, RRF and blend variants).
    All,
}

#[derive(Debug, Parser)]
#[command(about = "Measure suggestion ranking quality on an FAQ collection")]
struct Args {
    /// FAQ collection (JSON).
    #[arg(long)]
    collection: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "fused")]
    method: Method,
    /// Exit with an error when MAP is below this.
    #[arg(long)]
    min_map: Option<f64>,
    /// Model directory (default: $CHATDESK_MODEL_DIR or .cache/models/all-MiniLM-L6-v2).
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// Run without the embedding model (full text only).
    #[arg(long)]
    no_model: bool,
    /// List the queries whose first relevant FAQ was not ranked first.
    #[arg(long)]
    show_misses: bool,
    /// Embed FAQ titles only (instead of title and answer), for comparison.
    #[arg(long)]
    title_only: bool,
    /// Minimum cosine similarity for semantic candidates (default: the library's).
    #[arg(long)]
    min_similarity: Option<f32>,
}

fn main() -> ExitCode {
    pin_rayon_threads();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("suggest-eval: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<bool, Box<dyn std::error::Error>> {
    if args.collection.is_empty() {
        return Err("give at least one --collection".into());
    }
    let embedder = if args.no_model {
        None
    } else {
        let dir =
            args.model_dir.clone().or_else(Embedder::locate).ok_or(
                "embedding model not found: run scripts/fetch-model.sh (or pass --no-model)",
            )?;
        Some(Arc::new(Embedder::load(&dir)?))
    };
    let mut config = SuggestConfig::default();
    if args.title_only {
        config.doc_text = chatdesk_suggest::DocText::Title;
    }
    if let Some(m) = args.min_similarity {
        config.min_similarity = m;
    }

    let mut ok = true;
    for path in &args.collection {
        let collection = Collection::load(path)?;
        let started = Instant::now();
        let index =
            SuggestionIndex::build_with_config(embedder.clone(), collection.docs(), config)?;
        let query_embeddings = eval::query_embeddings(&index, &collection)?;
        println!(
            "collection {} ({} FAQs, {} queries; indexed and embedded in {:.1} s)",
            collection.name,
            collection.faqs.len(),
            collection.queries.len(),
            started.elapsed().as_secs_f64()
        );
        let default = Ranking::Fused(index.config().fusion);
        let methods: Vec<(String, Ranking)> = match args.method {
            Method::Fused => vec![(format!("fused {:?}", index.config().fusion), default)],
            Method::Bm25 => vec![("bm25".into(), Ranking::FullText)],
            Method::Embed => vec![("embed".into(), Ranking::Semantic)],
            Method::All => {
                let mut v = eval::comparison_rankings();
                v.push((
                    format!("fused (default) {:?}", index.config().fusion),
                    default,
                ));
                v
            }
        };
        println!(
            "  {:<40} {:>6} {:>6} {:>6} {:>7}",
            "method", "MAP", "MRR", "P@3", "NDCG@3"
        );
        let mut gate: Option<Metrics> = None;
        for (label, ranking) in &methods {
            // Without a model there is no embedding ranking to show.
            if index.embedder().is_none() && matches!(ranking, Ranking::Semantic) {
                continue;
            }
            let report =
                eval::evaluate(&index, &collection, *ranking, query_embeddings.as_deref())?;
            let m = report.metrics;
            println!(
                "  {:<40} {:>6.3} {:>6.3} {:>6.3} {:>7.3}",
                label, m.map, m.mrr, m.p_at_3, m.ndcg_at_3
            );
            if *ranking == default || methods.len() == 1 {
                gate = Some(m);
            }
            if args.show_misses {
                for miss in &report.misses {
                    println!(
                        "      miss: {:?} want {:?} got {:?}",
                        miss.query, miss.relevant, miss.top
                    );
                }
            }
        }
        if let (Some(min), Some(m)) = (args.min_map, gate) {
            if m.map < min {
                println!("  FAIL: MAP {:.3} < --min-map {min}", m.map);
                ok = false;
            }
        }
    }
    Ok(ok)
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
