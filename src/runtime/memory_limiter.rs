use wasmtime::ResourceLimiter;

const MIB: usize = 1024 * 1024;

/// Caps a sandbox's linear memory at the function's `memory_mb` and remembers what it
/// saw: the peak (Lambda's "Max Memory Used") and whether a growth was refused (so a
/// crash after it is reported as `Runtime.OutOfMemory`, not as a generic trap).
#[derive(Debug)]
pub struct MemoryLimiter {
    limit_bytes: usize,
    peak_bytes: usize,
    refused_bytes: Option<usize>,
}

impl MemoryLimiter {
    pub fn new(memory_mb: u32) -> Self {
        Self {
            limit_bytes: usize::try_from(memory_mb)
                .unwrap_or(usize::MAX)
                .saturating_mul(MIB),
            peak_bytes: 0,
            refused_bytes: None,
        }
    }

    /// Peak linear memory in MB, rounded up; at least 1 as Lambda never reports 0.
    pub fn peak_mb(&self) -> u32 {
        u32::try_from(self.peak_bytes.div_ceil(MIB).max(1)).unwrap_or(u32::MAX)
    }

    /// The size a refused growth asked for, if one was refused.
    pub fn refused_bytes(&self) -> Option<usize> {
        self.refused_bytes
    }

    /// Forgets a refusal: an execution environment starts each invocation afresh.
    pub fn clear_refused(&mut self) {
        self.refused_bytes = None;
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit_bytes {
            self.refused_bytes = Some(desired);
            // `memory.grow` returns -1, as on a machine that is out of memory; the guest
            // decides what to do (most allocators abort, which we then report).
            return Ok(false);
        }
        self.peak_bytes = self.peak_bytes.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|maximum| desired <= maximum))
    }
}
