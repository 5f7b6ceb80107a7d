//! A small set of whole numbers within one cron field's range (minutes 0-59 … years 1970-2199).

/// Whole numbers in `min..=max`, where the range spans at most 256 values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueSet {
    min: u32,
    max: u32,
    /// Bit `v - min` is set when `v` is in the set.
    bits: [u128; 2],
}

impl ValueSet {
    /// The widest range a set can hold (`max - min + 1`).
    pub(crate) const CAPACITY: u32 = 256;

    /// An empty set for values in `min..=max`.
    pub(crate) fn empty(min: u32, max: u32) -> Self {
        debug_assert!(min <= max && max - min < Self::CAPACITY, "range too wide");
        Self {
            min,
            max,
            bits: [0; 2],
        }
    }

    /// Adds `value`; values outside the range are ignored (callers check ranges first).
    pub(crate) fn insert(&mut self, value: u32) {
        if let Some((word, bit)) = self.position(value) {
            self.bits[word] |= 1 << bit;
        }
    }

    pub(crate) fn contains(&self, value: u32) -> bool {
        self.position(value)
            .is_some_and(|(word, bit)| self.bits[word] & (1 << bit) != 0)
    }

    /// The smallest value in the set that is `>= value`.
    pub(crate) fn first_at_or_after(&self, value: u32) -> Option<u32> {
        (value.max(self.min)..=self.max).find(|candidate| self.contains(*candidate))
    }

    /// The values in ascending order.
    #[cfg(test)]
    pub(crate) fn values(&self) -> impl Iterator<Item = u32> + '_ {
        (self.min..=self.max).filter(|value| self.contains(*value))
    }

    fn position(&self, value: u32) -> Option<(usize, u32)> {
        if value < self.min || value > self.max {
            return None;
        }
        let offset = value - self.min;
        let word = usize::try_from(offset / 128).ok()?;
        Some((word, offset % 128))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_values_across_both_words() {
        let mut years = ValueSet::empty(1970, 2199);
        years.insert(1970);
        years.insert(2100);
        years.insert(2199);
        years.insert(2200); // outside: ignored
        assert_eq!(years.values().collect::<Vec<_>>(), [1970, 2100, 2199]);
        assert_eq!(years.first_at_or_after(1971), Some(2100));
        assert_eq!(years.first_at_or_after(1900), Some(1970));
        assert_eq!(years.first_at_or_after(2200), None);
    }

    #[test]
    fn contains_only_what_was_inserted() {
        let mut minutes = ValueSet::empty(0, 59);
        minutes.insert(0);
        minutes.insert(59);
        assert!(minutes.contains(0) && minutes.contains(59));
        assert!(!minutes.contains(30));
        assert!(!minutes.contains(60));
    }
}
