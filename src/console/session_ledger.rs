//! What this session's invocations cost and were, from every source: the Test button
//! on the UI thread and triggers on the runtime's threads both record here, so the
//! meter and the history miss nothing however fast a trigger fires.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::billing::{CostMeter, InvocationCost};
use crate::logs::LogStore;
use crate::model::InvocationRecord;

use super::invocation_history::{InvocationHistory, InvocationSummary};

#[derive(Debug)]
pub struct SessionLedger {
    pub meter: CostMeter,
    pub history: InvocationHistory,
}

/// The ledger shared between the console and trigger threads, with the log store.
#[derive(Clone)]
pub struct SharedLedger {
    ledger: Arc<Mutex<SessionLedger>>,
    logs: Arc<LogStore>,
}

impl SharedLedger {
    pub fn new(meter: CostMeter, logs: Arc<LogStore>) -> Self {
        Self {
            ledger: Arc::new(Mutex::new(SessionLedger {
                meter,
                history: InvocationHistory::default(),
            })),
            logs,
        }
    }

    /// The ledger, for reading; hold it only for a frame's drawing.
    pub fn lock(&self) -> MutexGuard<'_, SessionLedger> {
        // A panic while recording leaves totals that are still worth showing.
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn logs(&self) -> &Arc<LogStore> {
        &self.logs
    }

    /// Logs, prices and remembers one invocation. A log file that cannot be written is
    /// reported as the error; the invocation is counted either way.
    pub fn record(
        &self,
        record: &InvocationRecord,
        source: &str,
        event: Arc<str>,
    ) -> (InvocationCost, Result<(), String>) {
        let logged = self
            .logs
            .append_invocation(record)
            .map_err(|error| error.to_string());
        let mut ledger = self.lock();
        let cost = ledger.meter.record(record);
        ledger.history.push(InvocationSummary::new(
            record,
            cost.total_usd(),
            source,
            event,
        ));
        (cost, logged)
    }
}
