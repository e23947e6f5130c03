//! Brute-force nearest neighbours over a contiguous matrix of unit-length embeddings.
//!
//! For help-desk knowledge bases (up to tens of thousands of articles) an exact scan is both
//! simpler and more honest than an approximate index: 10,000 × 384 floats is 15 MB, and one dot
//! product per row is a fraction of a millisecond (see docs/suggest-performance.md). Rows live
//! in one `Vec<f32>` so the scan is a linear walk the compiler vectorises; removed rows are
//! recycled through a free list instead of shifting the matrix.

/// Embedding rows addressed by slot number, each tagged with the owner's key.
#[derive(Debug, Clone)]
pub struct EmbeddingMatrix {
    dim: usize,
    data: Vec<f32>,
    /// `keys[slot]` is the document key stored in that row, `None` for a free row.
    keys: Vec<Option<u64>>,
    free: Vec<usize>,
    live: usize,
}

impl EmbeddingMatrix {
    pub fn new(dim: usize) -> Self {
        Self {
            dim,
            data: Vec::new(),
            keys: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of stored (live) rows.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Stores `vector` (already unit length, `dim` long) for `key`; returns its slot.
    pub fn insert(&mut self, key: u64, vector: &[f32]) -> usize {
        debug_assert_eq!(vector.len(), self.dim);
        match self.free.pop() {
            Some(slot) => {
                self.data[slot * self.dim..(slot + 1) * self.dim].copy_from_slice(vector);
                self.keys[slot] = Some(key);
                self.live += 1;
                slot
            }
            None => {
                self.data.extend_from_slice(vector);
                self.keys.push(Some(key));
                self.live += 1;
                self.keys.len() - 1
            }
        }
    }

    /// Frees `slot` for reuse.
    pub fn remove(&mut self, slot: usize) {
        if let Some(k) = self.keys.get_mut(slot) {
            if k.take().is_some() {
                self.free.push(slot);
                self.live -= 1;
            }
        }
    }

    /// The `k` rows most similar to `query` (cosine = dot product on unit vectors), best first,
    /// among rows whose key passes `filter`. Returns `(key, similarity)` pairs.
    pub fn top_k(
        &self,
        query: &[f32],
        k: usize,
        mut filter: impl FnMut(u64) -> bool,
    ) -> Vec<(u64, f32)> {
        if k == 0 || query.len() != self.dim || self.dim == 0 {
            return Vec::new();
        }
        // Keep the k best in a small sorted vector: k is tens, rows are thousands, so an
        // insertion into it is rare after the first rows and cheaper than a heap.
        let mut best: Vec<(u64, f32)> = Vec::with_capacity(k + 1);
        for (row, key) in self.data.chunks_exact(self.dim).zip(&self.keys) {
            let Some(key) = *key else { continue };
            let score = dot(row, query);
            if best.len() == k && best.last().is_some_and(|&(_, worst)| score <= worst) {
                continue;
            }
            if !filter(key) {
                continue;
            }
            let pos = best.partition_point(|&(_, s)| s >= score);
            best.insert(pos, (key, score));
            best.truncate(k);
        }
        best
    }
}

/// Dot product written with eight independent accumulators so LLVM vectorises it (a single
/// running sum is a serial dependency chain that it must not reorder for floats).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks_a = a.chunks_exact(8);
    let chunks_b = b.chunks_exact(8);
    let tail: f32 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (ca, cb) in chunks_a.zip(chunks_b) {
        for i in 0..8 {
            acc[i] += ca[i] * cb[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let mut v = v.to_vec();
        crate::embedder::normalize(&mut v);
        v
    }

    #[test]
    fn dot_matches_naive() {
        let a: Vec<f32> = (0..389).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..389).map(|i| (i as f32 * 0.11).cos()).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-3);
    }

    #[test]
    fn top_k_orders_filters_and_recycles() {
        let mut m = EmbeddingMatrix::new(3);
        let s1 = m.insert(1, &unit(&[1.0, 0.0, 0.0]));
        m.insert(2, &unit(&[0.9, 0.1, 0.0]));
        m.insert(3, &unit(&[0.0, 1.0, 0.0]));
        m.insert(4, &unit(&[0.7, 0.7, 0.0]));
        let q = unit(&[1.0, 0.0, 0.0]);
        let keys: Vec<u64> = m.top_k(&q, 3, |_| true).iter().map(|r| r.0).collect();
        assert_eq!(keys, [1, 2, 4]);
        let keys: Vec<u64> = m.top_k(&q, 3, |k| k != 2).iter().map(|r| r.0).collect();
        assert_eq!(keys, [1, 4, 3]);
        m.remove(s1);
        assert_eq!(m.len(), 3);
        let again = m.insert(5, &unit(&[-0.1, 0.0, 1.0]));
        assert_eq!(again, s1, "freed rows are reused");
        let keys: Vec<u64> = m.top_k(&q, 10, |_| true).iter().map(|r| r.0).collect();
        assert_eq!(keys, [2, 4, 3, 5]);
    }
}
