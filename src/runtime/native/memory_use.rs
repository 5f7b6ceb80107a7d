//! A native process's memory, from the kernel's own counters in `/proc/<pid>/status`:
//! its peak resident size (Lambda's Max Memory Used) and its private writable memory
//! (what `RLIMIT_DATA` caps).

use std::path::Path;

/// What the kernel counts for a process, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// `VmHWM`: the highest resident set size so far.
    pub peak_resident_bytes: u64,
    /// `VmData`: private writable memory now.
    pub data_bytes: u64,
}

impl MemoryUse {
    /// Reads the counters; `None` once the process is gone.
    pub fn read(status_path: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(status_path).ok()?;
        Some(Self::parse(&text))
    }

    fn parse(status: &str) -> Self {
        let mut usage = Self::default();
        for line in status.lines() {
            let (field, target) = if let Some(rest) = line.strip_prefix("VmHWM:") {
                (rest, &mut usage.peak_resident_bytes)
            } else if let Some(rest) = line.strip_prefix("VmData:") {
                (rest, &mut usage.data_bytes)
            } else {
                continue;
            };
            let kilobytes: u64 = field
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .unwrap_or(0);
            *target = kilobytes * 1024;
        }
        usage
    }

    /// The larger of each counter.
    pub fn max(self, other: Self) -> Self {
        Self {
            peak_resident_bytes: self.peak_resident_bytes.max(other.peak_resident_bytes),
            data_bytes: self.data_bytes.max(other.data_bytes),
        }
    }

    /// Max Memory Used as the REPORT line gives it: whole MB, rounded up.
    pub fn peak_mb(self) -> u32 {
        u32::try_from(self.peak_resident_bytes.div_ceil(1024 * 1024)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_counters_are_read_in_bytes() {
        let status = "Name:\tpython3\nVmPeak:\t  30000 kB\nVmHWM:\t    9216 kB\nVmRSS:\t    9000 kB\nVmData:\t    4096 kB\n";
        let usage = MemoryUse::parse(status);
        assert_eq!(usage.peak_resident_bytes, 9 * 1024 * 1024);
        assert_eq!(usage.data_bytes, 4 * 1024 * 1024);
        assert_eq!(usage.peak_mb(), 9);
        let own = MemoryUse::read(Path::new("/proc/self/status")).unwrap();
        assert!(own.peak_resident_bytes > 0 && own.data_bytes > 0, "{own:?}");
    }
}
