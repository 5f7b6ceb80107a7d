//! One shape for the event sources the engine runs a task per rule for (schedules, bucket
//! folders, queue triggers): a source reads its rules from the functions and runs one
//! rule; [`RunningSource`] keeps a supervised task per rule and reloads rule by rule
//! (compare, stop what changed or went, start what changed or came), so that a rule that
//! did not change keeps running: a `rate()` schedule keeps its next fire time, a queue
//! trigger keeps polling, a bucket keeps its watch.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::supervisor::{Supervisor, TaskFuture};
use crate::model::Function;

/// A kind of event source.
pub trait TriggerSource: Send + Sync + 'static {
    /// What one task runs: a schedule, a bucket folder's rules, a queue trigger.
    type Rule: Clone + Send + Sync + 'static;

    /// Whether a reload waits for a stopped rule's task before starting what replaces it
    /// (a bucket watch hands its snapshot on), or lets it finish in the background (a
    /// queue poller's batches in flight must not hold a reload up).
    const WAITS_FOR_STOP: bool = true;

    /// The rules the functions ask for, and a message for each one that cannot run.
    fn rules(&self, functions: &[Function]) -> (Vec<Self::Rule>, Vec<String>);

    /// Whether `new` asks for what `old` runs already (its task then keeps running).
    fn unchanged(old: &Self::Rule, new: &Self::Rule) -> bool;

    /// The rule's task in messages: "the schedule `rate(5 minutes)` of `tick`".
    fn describe(rule: &Self::Rule) -> String;

    /// The rule's task, until `stop` turns true. Called when the rule starts (what it
    /// does before returning the future happens then) and again after a panic.
    fn run(&self, rule: &Self::Rule, stop: watch::Receiver<bool>) -> TaskFuture;

    /// After a reload started its tasks: a source may drop what only stopped tasks needed.
    fn reloaded(&self) {}
}

/// One rule's task.
struct RuleTask {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

/// A source's rules as they run, one supervised task each.
pub struct RunningSource<S: TriggerSource> {
    source: Arc<S>,
    supervisor: Supervisor,
    /// The rules running, in the functions' order; `tasks[i]` runs `rules[i]`.
    rules: Vec<S::Rule>,
    tasks: Vec<RuleTask>,
    /// Tasks of rules stopped by a reload, finishing work in flight.
    retiring: Vec<JoinHandle<()>>,
}

impl<S: TriggerSource> RunningSource<S> {
    pub fn new(source: S, supervisor: Supervisor) -> Self {
        Self {
            source: Arc::new(source),
            supervisor,
            rules: Vec::new(),
            tasks: Vec::new(),
            retiring: Vec::new(),
        }
    }

    pub fn rules(&self) -> &[S::Rule] {
        &self.rules
    }

    /// Runs the rules `functions` now ask for: an unchanged rule keeps its task (and the
    /// rule as it started, with its start time); a changed or removed one is stopped;
    /// a changed or added one starts. Returns the rules' problems.
    pub async fn reload(&mut self, functions: &[Function]) -> Vec<String> {
        let (wanted, problems) = self.source.rules(functions);
        let mut running: Vec<Option<(S::Rule, RuleTask)>> = self
            .rules
            .drain(..)
            .zip(self.tasks.drain(..))
            .map(Some)
            .collect();
        let kept: Vec<Option<(S::Rule, RuleTask)>> = wanted
            .iter()
            .map(|new| {
                let index = running.iter().position(|old| {
                    old.as_ref().is_some_and(|(old, task)| {
                        S::unchanged(old, new) && !task.handle.is_finished()
                    })
                })?;
                running[index].take()
            })
            .collect();
        for (_, task) in running.into_iter().flatten() {
            let _ = task.stop.send(true);
            if S::WAITS_FOR_STOP {
                let _ = task.handle.await;
            } else {
                self.retiring.push(task.handle);
            }
        }
        self.retiring.retain(|task| !task.is_finished());
        for (new, kept) in wanted.into_iter().zip(kept) {
            let (rule, task) = match kept {
                Some(running) => running,
                None => {
                    let task = self.start(&new);
                    (new, task)
                }
            };
            self.rules.push(rule);
            self.tasks.push(task);
        }
        self.source.reloaded();
        problems
    }

    fn start(&self, rule: &S::Rule) -> RuleTask {
        let (stop, stopped) = watch::channel(false);
        let first = self.source.run(rule, stopped.clone());
        let source = Arc::clone(&self.source);
        let restarted = rule.clone();
        let restart_stop = stopped.clone();
        let handle = self
            .supervisor
            .spawn(S::describe(rule), stopped, first, move || {
                source.run(&restarted, restart_stop.clone())
            });
        RuleTask { stop, handle }
    }

    /// Tells every task to stop (see [`Self::stopped`]).
    pub fn signal_stop(&self) {
        for task in &self.tasks {
            let _ = task.stop.send(true);
        }
    }

    /// Stops every task and waits for them, work in flight included.
    pub async fn stopped(&mut self) {
        self.signal_stop();
        self.rules.clear();
        for task in self.tasks.drain(..) {
            let _ = task.handle.await;
        }
        for task in self.retiring.drain(..) {
            let _ = task.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::triggers::FinishedInvocation;
    use crate::triggers::context::InvocationSink;

    struct NoSink;

    impl InvocationSink for NoSink {
        fn finished(&self, _: FinishedInvocation) {}
    }

    /// A source whose rules are `(name, setting)` pairs, set by the test; it notes each
    /// start and each stop of a rule's task.
    #[derive(Default)]
    struct NotingSource {
        wanted: Mutex<Vec<(String, u32)>>,
        noted: Arc<Mutex<Vec<String>>>,
    }

    impl TriggerSource for NotingSource {
        type Rule = (String, u32);

        fn rules(&self, _: &[Function]) -> (Vec<(String, u32)>, Vec<String>) {
            (self.wanted.lock().unwrap().clone(), Vec::new())
        }

        fn unchanged(old: &(String, u32), new: &(String, u32)) -> bool {
            old == new
        }

        fn describe(rule: &(String, u32)) -> String {
            format!("{}={}", rule.0, rule.1)
        }

        fn run(&self, rule: &(String, u32), mut stop: watch::Receiver<bool>) -> TaskFuture {
            let name = Self::describe(rule);
            self.noted.lock().unwrap().push(format!("start {name}"));
            let noted = Arc::clone(&self.noted);
            Box::pin(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
                noted.lock().unwrap().push(format!("stop {name}"));
            })
        }
    }

    fn rules(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
        pairs
            .iter()
            .map(|(name, setting)| ((*name).to_owned(), *setting))
            .collect()
    }

    #[tokio::test]
    async fn a_reload_stops_and_starts_only_the_rules_that_changed() {
        let source = NotingSource::default();
        let noted = Arc::clone(&source.noted);
        *source.wanted.lock().unwrap() = rules(&[("a", 1), ("b", 1), ("c", 1)]);
        let mut running = RunningSource::new(source, Supervisor::new(Arc::new(NoSink)));
        running.reload(&[]).await;
        noted.lock().unwrap().clear();

        // `b` changes, `c` goes, `d` comes; `a` is left alone.
        *running.source.wanted.lock().unwrap() = rules(&[("a", 1), ("b", 2), ("d", 1)]);
        running.reload(&[]).await;
        assert_eq!(running.rules(), rules(&[("a", 1), ("b", 2), ("d", 1)]));
        assert_eq!(
            *noted.lock().unwrap(),
            vec!["stop b=1", "stop c=1", "start b=2", "start d=1"]
        );

        noted.lock().unwrap().clear();
        running.stopped().await;
        let mut stops = noted.lock().unwrap().clone();
        stops.sort();
        assert_eq!(stops, vec!["stop a=1", "stop b=2", "stop d=1"]);
    }
}
