//! A fixed-shape pairwise reduction over a sequence of chunk results.
//!
//! Floating-point addition is not associative, so merging chunk results in
//! whatever order threads finish would change the last bits of the answer.
//! Here the shape of the merge tree depends only on the number of chunks:
//! chunk results are pushed in index order and merged like a binary counter
//! (two subtrees of equal size become one), so 1, 2 or 64 threads give the
//! same bits. An aligned block of 2^k chunks is always one subtree, which is
//! what lets shards computed on different machines merge to the same bytes.

pub trait Mergeable: Sized {
    /// Combines `self` (earlier chunks) with `later`.
    fn merge_with(self, later: Self) -> Self;
}

#[derive(Debug)]
pub struct PairwiseMerger<T> {
    /// (number of chunks in the subtree, merged value); sizes strictly
    /// decrease from bottom to top.
    stack: Vec<(u64, T)>,
}

impl<T: Mergeable> Default for PairwiseMerger<T> {
    fn default() -> Self {
        PairwiseMerger { stack: Vec::new() }
    }
}

impl<T: Mergeable> PairwiseMerger<T> {
    pub fn push(&mut self, value: T) {
        self.push_block(1, value);
    }

    /// Pushes the merged value of `size` chunks (a power of two) that start
    /// at a multiple of `size`: the subtree a run over those chunks builds,
    /// so the result is that of pushing them one by one.
    pub fn push_block(&mut self, size: u64, value: T) {
        let mut size = size;
        let mut value = value;
        while let Some((top_size, _)) = self.stack.last() {
            if *top_size != size {
                break;
            }
            let (s, earlier) = self.stack.pop().expect("checked non-empty");
            value = earlier.merge_with(value);
            size += s;
        }
        self.stack.push((size, value));
    }

    /// The merged value of everything pushed so far when it forms one
    /// subtree (a power-of-two number of chunks from the start): the
    /// prefix a convergence checkpoint records.
    pub fn whole(&self) -> Option<&T> {
        match self.stack.as_slice() {
            [(_, only)] => Some(only),
            _ => None,
        }
    }

    /// Merges the remaining subtrees, largest (earliest) first.
    pub fn finish(mut self) -> Option<T> {
        let mut acc = self.stack.pop().map(|(_, v)| v)?;
        while let Some((_, earlier)) = self.stack.pop() {
            acc = earlier.merge_with(acc);
        }
        Some(acc)
    }
}

impl Mergeable for super::Moments {
    fn merge_with(self, later: Self) -> Self {
        self.merge(&later)
    }
}

impl Mergeable for super::sobol::SobolSums {
    fn merge_with(mut self, later: Self) -> Self {
        self.merge(&later);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Trace(String);
    impl Mergeable for Trace {
        fn merge_with(self, later: Self) -> Self {
            Trace(format!("({} {})", self.0, later.0))
        }
    }

    #[test]
    fn tree_shape_depends_only_on_count() {
        let mut m = PairwiseMerger::default();
        for i in 0..5 {
            m.push(Trace(i.to_string()));
        }
        assert_eq!(m.finish(), Some(Trace("(((0 1) (2 3)) 4)".into())));
    }
}
