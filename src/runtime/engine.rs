use std::time::Duration;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::compiled_function_cache::CompiledFunctionCache;

/// How often the engine's epoch advances. Timeouts are enforced at this granularity,
/// so an infinite loop stops within a few milliseconds of its deadline.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// How many sandboxes may exist at once. Each reserves 4 GiB of address space (not
/// memory) so bounds checks can be elided, and a stack; 128 is far more than a desktop
/// needs. `lambdesk lambda-bootstrap` runs one invocation at a time and asks for fewer.
pub const MAX_CONCURRENT_INSTANCES: u32 = 128;

/// Per slot, how much linear memory and table space stays mapped between instances.
const KEEP_RESIDENT_BYTES: usize = 1 << 20;

/// wasm32 can address at most 4 GiB; `memory_mb` above that is capped by the architecture.
const MAX_LINEAR_MEMORY_BYTES: usize = 4 << 30;

/// Which compiler an engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCompiler {
    /// Cranelift, optimising: the code every function runs in the end.
    Cranelift,
    /// Winch, wasmtime's baseline compiler: compiles a large module several times
    /// faster than Cranelift, into slower code. Used only for the first answer after a
    /// Rust or Go function is rebuilt (`invoker/tiered_compile.rs`).
    Winch,
}

/// The engine every function shares: pooling allocator with copy-on-write memory images
/// (instantiation in microseconds), epoch interruption (cheap timeouts) and Cranelift's
/// incremental cache.
pub fn new_engine(sandbox_slots: u32) -> wasmtime::Result<Engine> {
    engine_for(CodeCompiler::Cranelift, sandbox_slots)
}

/// An engine compiling with `compiler`, otherwise configured as every other: a module
/// compiled by one engine runs only in stores of that engine, so the Winch engine has its
/// own pool and epoch ticker with the same limits and tick.
pub fn engine_for(compiler: CodeCompiler, sandbox_slots: u32) -> wasmtime::Result<Engine> {
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .total_memories(sandbox_slots)
        .total_tables(sandbox_slots)
        .total_core_instances(sandbox_slots)
        .total_stacks(sandbox_slots)
        .max_memory_size(MAX_LINEAR_MEMORY_BYTES)
        // Reset the small, hot part of a reused slot with memset (only the dirty pages,
        // found with PAGEMAP_SCAN where the kernel has it) instead of madvise: no
        // syscall and no page faults on the next instantiation.
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        .table_keep_resident(KEEP_RESIDENT_BYTES)
        .pagemap_scan(wasmtime::Enabled::Auto);

    let mut config = Config::new();
    config
        .epoch_interruption(true)
        .memory_init_cow(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    match compiler {
        CodeCompiler::Cranelift => {
            config
                .strategy(wasmtime::Strategy::Cranelift)
                .cranelift_opt_level(wasmtime::OptLevel::Speed)
                .enable_incremental_compilation(std::sync::Arc::new(
                    CompiledFunctionCache::default(),
                ))?;
        }
        // Winch supports epoch interruption, copy-on-write images and the pooling
        // allocator; it has no incremental cache (Cranelift's), and turns off the wasm
        // proposals it lacks (GC, tail calls…), which Rust and Go modules for wasip1 do
        // not use. Cranelift still compiles a trampoline for each function a table holds
        // (every Go function): unoptimised, as they are tiny, that is ~11 % less time
        // for go-hello's module.
        CodeCompiler::Winch => {
            config
                .strategy(wasmtime::Strategy::Winch)
                .cranelift_opt_level(wasmtime::OptLevel::None);
        }
    }
    let engine = Engine::new(&config)?;
    start_epoch_ticker(&engine);
    Ok(engine)
}

/// Advances the epoch every [`EPOCH_TICK`] until the engine is dropped.
fn start_epoch_ticker(engine: &Engine) {
    let engine = engine.weak();
    let spawned = std::thread::Builder::new()
        .name("lambdesk-epoch-ticker".to_owned())
        .spawn(move || {
            while let Some(engine) = engine.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        });
    // Without the ticker, timeouts would still be enforced by the async deadline around
    // each invocation (see `command_mode`), only less promptly; so this is not fatal.
    if let Err(error) = spawned {
        eprintln!("lambdesk: could not start the epoch ticker thread: {error}");
    }
}

/// Epoch ticks until `timeout` has passed (rounded up, plus the tick already running).
pub fn ticks_for(timeout: Duration) -> u64 {
    let tick_ns = EPOCH_TICK.as_nanos().max(1);
    u64::try_from(timeout.as_nanos().div_ceil(tick_ns)).unwrap_or(u64::MAX)
}
