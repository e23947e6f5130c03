//! Sentence embeddings with all-MiniLM-L6-v2, run in-process on the CPU with candle.
//!
//! The model is a 6-layer BERT. Like sentence-transformers does for this model, a text's
//! embedding is the mean of the last hidden states over the real (non-padding) tokens,
//! L2-normalised, so the cosine similarity of two texts is a plain dot product.
//!
//! Speed matters because a question is embedded on every suggestion request: we never pad a
//! single text (the `tokenizer.json` shipped with the model pads everything to 128 tokens, which
//! would make a 10-token question cost as much as a 128-token one), batches are padded only to
//! their longest member, and batch callers get texts sorted by length so padding stays small.
//!
//! Threads: candle splits every matrix product over all cores (through rayon). For a question of
//! a dozen tokens the matrices are so small that the splitting costs more than it saves: on our
//! 2-core machine a question took 19 ms (p50) that way and 15.7 ms on one thread (see
//! docs/suggest-performance.md). So each embedding runs on one of a few single-threaded "lanes"
//! (rayon pools of one thread, one lane per core): concurrent questions still use every core,
//! one each, and a batch of documents is spread over the lanes in chunks, which parallelises far
//! better than splitting each small product.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use candle_core::{DType, Device, Tensor, D};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::SuggestError;

/// Dimension of all-MiniLM-L6-v2 embeddings.
pub const EMBEDDING_DIM: usize = 384;

/// Default name of the model folder under `.cache/models/`.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";

/// Longest input, in word pieces, that we embed: sentence-transformers' setting for this model.
/// Longer texts are truncated (their start is what we embed).
pub const DEFAULT_MAX_TOKENS: usize = 256;

/// Longest question we embed, in word pieces (the length the model was trained on).
pub const QUERY_MAX_TOKENS: usize = 128;

/// Size of one forward pass in [`Embedder::embed_batch`], in tokens (texts × padded length).
/// Larger passes amortise per-call overhead; the attention scores grow with texts × length², so
/// a token budget (rather than a fixed text count) keeps memory flat for long articles.
const BATCH_TOKENS: usize = 4096;
/// At most this many texts per forward pass.
const BATCH_MAX_TEXTS: usize = 64;

/// all-MiniLM-L6-v2 loaded from a directory holding `model.safetensors`, `config.json` and
/// `tokenizer.json` (as written by `scripts/fetch-model.sh`).
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    max_tokens: usize,
    lanes: Lanes,
}

/// Single-threaded rayon pools; see the module documentation for why.
struct Lanes {
    pools: Vec<Mutex<rayon::ThreadPool>>,
    next: AtomicUsize,
}

impl Lanes {
    fn new(count: usize) -> Result<Self, SuggestError> {
        let pools = (0..count.max(1))
            .map(|i| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(move |_| format!("embed-lane-{i}"))
                    .build()
                    .map(Mutex::new)
                    .map_err(|e| SuggestError::ModelLoad(format!("cannot start threads: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            pools,
            next: AtomicUsize::new(0),
        })
    }

    fn len(&self) -> usize {
        self.pools.len()
    }

    /// Runs `f` on a free lane, or waits for one (round robin) when all are busy.
    fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        for pool in &self.pools {
            if let Ok(pool) = pool.try_lock() {
                return pool.install(f);
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.pools.len();
        // A panic inside an earlier closure poisons the mutex but leaves the pool usable.
        let pool = self.pools[i].lock().unwrap_or_else(PoisonError::into_inner);
        pool.install(f)
    }
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads the model and tokenizer from `model_dir`.
    pub fn load(model_dir: &Path) -> Result<Self, SuggestError> {
        let file = |name: &str| -> Result<PathBuf, SuggestError> {
            let path = model_dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(SuggestError::ModelMissing { path })
            }
        };
        let weights = file("model.safetensors")?;
        let config_path = file("config.json")?;
        let tokenizer_path = file("tokenizer.json")?;

        let config_text = std::fs::read_to_string(&config_path)
            .map_err(|e| SuggestError::ModelLoad(format!("{}: {e}", config_path.display())))?;
        let config: Config = serde_json::from_str(&config_text)
            .map_err(|e| SuggestError::ModelLoad(format!("{}: {e}", config_path.display())))?;
        if config.hidden_size != EMBEDDING_DIM {
            return Err(SuggestError::ModelLoad(format!(
                "expected a {EMBEDDING_DIM}-dimensional model, config says {}",
                config.hidden_size
            )));
        }

        let device = Device::Cpu;
        // Read into memory rather than mmap: mmap needs `unsafe` (the file could change under
        // us) and the 90 MB read costs tens of milliseconds once per process.
        let bytes = std::fs::read(&weights)
            .map_err(|e| SuggestError::ModelLoad(format!("{}: {e}", weights.display())))?;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device)
            .map_err(|e| SuggestError::ModelLoad(e.to_string()))?;
        let model =
            BertModel::load(vb, &config).map_err(|e| SuggestError::ModelLoad(e.to_string()))?;

        let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| SuggestError::ModelLoad(format!("{}: {e}", tokenizer_path.display())))?;
        let max_tokens = DEFAULT_MAX_TOKENS.min(config.max_position_embeddings);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..Default::default()
            }))
            .map_err(|e| SuggestError::ModelLoad(e.to_string()))?;
        // Pad a batch to its longest member only (never to a fixed length).
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));

        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self {
            model,
            tokenizer,
            device,
            max_tokens,
            lanes: Lanes::new(cores)?,
        })
    }

    /// Finds the model directory: `$CHATDESK_MODEL_DIR` if set, else
    /// `.cache/models/all-MiniLM-L6-v2` in the current directory or one of its ancestors (so it
    /// works from the repository root and from a crate directory), else relative to this crate's
    /// source tree. Only a directory that holds `model.safetensors` counts.
    pub fn locate() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("CHATDESK_MODEL_DIR") {
            let dir = PathBuf::from(dir);
            return dir.join("model.safetensors").is_file().then_some(dir);
        }
        let relative = Path::new(".cache").join("models").join(MODEL_NAME);
        let mut starts: Vec<PathBuf> = Vec::new();
        if let Ok(cwd) = std::env::current_dir() {
            starts.push(cwd);
        }
        starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        starts.iter().find_map(|start| {
            start
                .ancestors()
                .map(|dir| dir.join(&relative))
                .find(|dir| dir.join("model.safetensors").is_file())
        })
    }

    /// Longest input in word pieces; longer texts are truncated.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// Embedding of one text: 384 floats, unit length.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, SuggestError> {
        self.lanes.run(|| self.embed_here(text, self.max_tokens))
    }

    /// Embedding of a customer's question, for searching: like [`embed`](Self::embed) but
    /// truncated to [`QUERY_MAX_TOKENS`] word pieces, so that a pasted wall of text cannot make
    /// a suggestion slow (the cost grows with the length).
    pub fn embed_query(&self, text: &str) -> Result<Vec<f32>, SuggestError> {
        self.lanes
            .run(|| self.embed_here(text, QUERY_MAX_TOKENS.min(self.max_tokens)))
    }

    fn embed_here(&self, text: &str, max_tokens: usize) -> Result<Vec<f32>, SuggestError> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| SuggestError::Embedding(e.to_string()))?;
        let all = encoding.get_ids();
        // Keep the start and the closing [SEP] token.
        let mut capped: Vec<u32>;
        let ids: &[u32] = if all.len() > max_tokens && max_tokens >= 2 {
            capped = all[..max_tokens - 1].to_vec();
            capped.extend(all.last());
            &capped
        } else {
            all
        };
        let n = ids.len();
        let input_ids = Tensor::from_slice(ids, (1, n), &self.device)?;
        let token_type_ids = Tensor::zeros((1, n), DType::U32, &self.device)?;
        // No padding, so every token counts: plain mean over the sequence, no mask needed.
        let hidden = self.model.forward(&input_ids, &token_type_ids, None)?;
        let mean = hidden.mean(1)?;
        let mut v: Vec<f32> = mean.squeeze(0)?.to_vec1()?;
        normalize(&mut v);
        Ok(v)
    }

    /// Embeddings of many texts, in the order given. Texts are grouped by length into batches
    /// (so little compute is spent on padding) that run in parallel, one per lane.
    pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SuggestError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| SuggestError::Embedding(e.to_string()))?;
        // encode_batch padded everything to the longest text; keep only the real tokens so we
        // can re-batch by length.
        let tokens: Vec<&[u32]> = encodings
            .iter()
            .map(|e| {
                let real = e.get_attention_mask().iter().filter(|&&m| m == 1).count();
                &e.get_ids()[..real]
            })
            .collect();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| tokens[i].len());
        // Texts are sorted by length, so a chunk's padded width is its last text's length.
        let mut chunks: Vec<&[usize]> = Vec::new();
        let mut start = 0;
        for end in 1..=order.len() {
            let width = tokens[order[end - 1]].len().max(1);
            let count = end - start;
            let last = end == order.len();
            let next_too_big = !last && {
                let next_width = tokens[order[end]].len().max(1);
                (count + 1) * next_width > BATCH_TOKENS || count + 1 > BATCH_MAX_TEXTS
            };
            if last || next_too_big || count * width >= BATCH_TOKENS {
                chunks.push(&order[start..end]);
                start = end;
            }
        }

        // Each lane takes the next chunk until none are left.
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<(usize, Vec<f32>)>> = Mutex::new(Vec::with_capacity(texts.len()));
        let worker = || -> Result<(), SuggestError> {
            loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                let Some(chunk) = chunks.get(c) else {
                    return Ok(());
                };
                let rows = self.forward_chunk(chunk.iter().map(|&i| tokens[i]))?;
                let mut results = results.lock().map_err(|_| SuggestError::Poisoned)?;
                results.extend(chunk.iter().copied().zip(rows));
            }
        };
        let lanes = self.lanes.len().min(chunks.len());
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..lanes)
                .map(|_| scope.spawn(|| self.lanes.run(worker)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(SuggestError::Embedding("embedding thread panicked".into()))
                    })
                })
                .collect::<Result<Vec<()>, _>>()
        })?;

        let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
        for (i, v) in results.into_inner().map_err(|_| SuggestError::Poisoned)? {
            out[i] = v;
        }
        Ok(out)
    }

    /// One forward pass over texts already tokenised, padded to the longest of them; returns
    /// their normalised mean-pooled embeddings in the same order.
    fn forward_chunk<'t>(
        &self,
        texts: impl ExactSizeIterator<Item = &'t [u32]> + Clone,
    ) -> Result<Vec<Vec<f32>>, SuggestError> {
        let b = texts.len();
        let width = texts.clone().map(<[u32]>::len).max().unwrap_or(0).max(1);
        let mut ids = Vec::with_capacity(b * width);
        let mut mask = Vec::with_capacity(b * width);
        for t in texts {
            ids.extend_from_slice(t);
            ids.extend(std::iter::repeat_n(0u32, width - t.len()));
            mask.extend(std::iter::repeat_n(1u32, t.len()));
            mask.extend(std::iter::repeat_n(0u32, width - t.len()));
        }
        let input_ids = Tensor::from_vec(ids, (b, width), &self.device)?;
        let attention = Tensor::from_vec(mask, (b, width), &self.device)?;
        let token_type_ids = Tensor::zeros((b, width), DType::U32, &self.device)?;
        let hidden = self
            .model
            .forward(&input_ids, &token_type_ids, Some(&attention))?;
        // Mean over real tokens only.
        let mask_f = attention.to_dtype(DType::F32)?.unsqueeze(D::Minus1)?;
        let summed = hidden.broadcast_mul(&mask_f)?.sum(1)?;
        let counts = mask_f.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let mut rows: Vec<Vec<f32>> = mean.to_vec2()?;
        for row in &mut rows {
            normalize(row);
        }
        Ok(rows)
    }
}

/// Scales `v` to unit length (leaves an all-zero vector alone).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v.iter_mut() {
            *x /= norm;
        }
    }
}
