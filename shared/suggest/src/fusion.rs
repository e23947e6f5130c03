//! Merging the word ranking (BM25) and the meaning ranking (cosine similarity) into one.
//!
//! Two families were measured on the evaluation collections (README.md has the table):
//!
//! * **Reciprocal rank fusion** (RRF): `Σ 1 / (k + rank)`. It ignores score magnitudes, which is
//!   robust, but it also throws away *how much* better the first hit is than the second.
//! * **Score blend**: `w · cosine + (1 − w) · bm25 / max_bm25`. BM25 has no absolute scale, so it
//!   is divided by the best BM25 score of the question; cosine similarity already has a fixed
//!   scale (unit vectors), so it is used as is. A document missing from one list gets 0 there.
//!
//! Whichever is configured, the result score is returned to callers as `Suggestion::score`.

use std::collections::HashMap;

/// How the two rankings are combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fusion {
    /// Reciprocal rank fusion with constant `k` (60 in the original paper).
    Rrf { k: f32 },
    /// `semantic_weight · cosine + (1 − semantic_weight) · bm25 / max_bm25`.
    Blend { semantic_weight: f32 },
}

impl Fusion {
    /// The fusion chosen by measurement (see README.md): a blend weighted towards meaning.
    pub const DEFAULT: Fusion = Fusion::Blend {
        semantic_weight: 0.9,
    };
}

impl Default for Fusion {
    fn default() -> Self {
        Fusion::DEFAULT
    }
}

/// Fuses `lexical` (key, BM25 score; best first) and `semantic` (key, cosine; best first) into
/// one list of (key, fused score), best first. Ties are broken by key for determinism.
pub fn fuse(fusion: Fusion, lexical: &[(u64, f32)], semantic: &[(u64, f32)]) -> Vec<(u64, f32)> {
    let mut scores: HashMap<u64, f32> = HashMap::with_capacity(lexical.len() + semantic.len());
    match fusion {
        Fusion::Rrf { k } => {
            for list in [lexical, semantic] {
                for (rank, &(key, _)) in list.iter().enumerate() {
                    *scores.entry(key).or_insert(0.0) += 1.0 / (k + rank as f32 + 1.0);
                }
            }
        }
        Fusion::Blend { semantic_weight } => {
            let w = semantic_weight.clamp(0.0, 1.0);
            let max_bm25 = lexical.iter().map(|&(_, s)| s).fold(0.0f32, f32::max);
            if max_bm25 > 0.0 {
                for &(key, s) in lexical {
                    *scores.entry(key).or_insert(0.0) += (1.0 - w) * s / max_bm25;
                }
            }
            for &(key, cos) in semantic {
                *scores.entry(key).or_insert(0.0) += w * cos.max(0.0);
            }
        }
    }
    let mut fused: Vec<(u64, f32)> = scores.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    fused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrf_rewards_agreement() {
        let lexical = [(1, 9.0), (2, 5.0), (3, 1.0)];
        let semantic = [(2, 0.8), (4, 0.7), (1, 0.2)];
        let fused = fuse(Fusion::Rrf { k: 60.0 }, &lexical, &semantic);
        let keys: Vec<u64> = fused.iter().map(|x| x.0).collect();
        // 1: 1/61 + 1/63, 2: 1/62 + 1/61 -> 2 first.
        assert_eq!(keys, [2, 1, 4, 3]);
    }

    #[test]
    fn blend_normalises_bm25_and_keeps_cosine_scale() {
        let lexical = [(1, 10.0), (2, 5.0)];
        let semantic = [(2, 0.9), (3, 0.5)];
        let fused = fuse(
            Fusion::Blend {
                semantic_weight: 0.5,
            },
            &lexical,
            &semantic,
        );
        let get = |k| fused.iter().find(|x| x.0 == k).unwrap().1;
        assert!((get(1) - 0.5).abs() < 1e-6);
        assert!((get(2) - (0.25 + 0.45)).abs() < 1e-6);
        assert!((get(3) - 0.25).abs() < 1e-6);
        assert_eq!(fused[0].0, 2);
    }

    #[test]
    fn one_sided_inputs_work() {
        assert_eq!(fuse(Fusion::DEFAULT, &[(7, 3.0)], &[])[0].0, 7);
        assert_eq!(fuse(Fusion::DEFAULT, &[], &[(8, 0.3)])[0].0, 8);
        assert!(fuse(Fusion::DEFAULT, &[], &[]).is_empty());
    }
}
