//! A native process's memory, from the kernel's own counters in `/proc/<pid>/status`:
//! its peak resident size (Lambda's Max Memory Used) and its private writable memory
//! (what `RLIMIT_DATA` caps).

use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::path::Path;

/// `/proc/<pid>/status` is about 1.5 KB; the fields read come in its first half.
const STATUS_BUFFER_BYTES: usize = 8192;

/// A process's `/proc/<pid>/status`, opened once: each read regenerates it from offset 0
/// without the path walk of an `open` (this is read after every invocation).
#[derive(Debug)]
pub struct MemoryCounters {
    status: Option<File>,
}

impl MemoryCounters {
    pub fn open(status_path: &Path) -> Self {
        Self {
            status: File::open(status_path).ok(),
        }
    }

    /// The counters now; `None` once the process is gone. One `pread` from offset 0:
    /// the kernel writes the whole file at once when the buffer holds it (a second read
    /// at a later offset would make it generate the file again).
    pub fn read(&self) -> Option<MemoryUse> {
        let file = self.status.as_ref()?;
        let mut buffer = [0_u8; STATUS_BUFFER_BYTES];
        let filled = file
            .read_at(&mut buffer, 0)
            .ok()
            .filter(|count| *count > 0)?;
        Some(MemoryUse::parse(&String::from_utf8_lossy(
            &buffer[..filled],
        )))
    }
}

/// What the kernel counts for a process, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// `VmHWM`: the highest resident set size so far.
    pub peak_resident_bytes: u64,
    /// `VmData`: private writable memory now.
    pub data_bytes: u64,
}

impl MemoryUse {
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
        let counters = MemoryCounters::open(Path::new("/proc/self/status"));
        let own = counters.read().unwrap();
        assert!(own.peak_resident_bytes > 0 && own.data_bytes > 0, "{own:?}");
        let _grown = vec![1_u8; 8 << 20];
        let again = counters.read().unwrap();
        assert!(
            again.peak_resident_bytes >= own.peak_resident_bytes,
            "{again:?}"
        );
        assert!(counters.read().is_some(), "read again from the same file");
    }
}
