//! Command mode: a WASI preview 1 module with `_start` runs once per invocation, in a
//! fresh instance: the event on stdin, the response on stdout, log lines on stderr.

use std::time::Instant;

use wasmtime::{Engine, InstancePre};

use super::error::InvokeError;
use super::sandbox::{
    BLOCKED_GUEST_GRACE, Ending, RunResult, Sandbox, SandboxSetup, SandboxState, ending_of,
};

pub async fn run(
    engine: &Engine,
    instance_pre: &InstancePre<SandboxState>,
    event: &[u8],
    setup: &SandboxSetup,
) -> Result<RunResult, InvokeError> {
    let mut sandbox = Sandbox::new(engine, setup, event.to_vec())?;
    sandbox.arm_deadline(setup.timeout);
    let store = &mut sandbox.store;

    let started = Instant::now();
    let guest = async {
        let instance = instance_pre.instantiate_async(&mut *store).await?;
        let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
        start.call_async(&mut *store, ()).await
    };
    let result = tokio::time::timeout(setup.timeout + BLOCKED_GUEST_GRACE, guest).await;
    let duration = started.elapsed();

    let ending = match result {
        Err(_elapsed) => Ending::TimedOut,
        Ok(Ok(())) => Ending::Exited(0),
        Ok(Err(error)) => ending_of(&error)?,
    };
    Ok(RunResult::collect(&sandbox, ending, duration))
}
