//! Every trigger of a workspace running together: the HTTP gateway, schedules, and the
//! asynchronous delivery they feed. `lambdesk serve` runs one headless; the console runs
//! one in the background. Of several on one workspace, one runs the push-style sources
//! (buckets, schedules, asynchronous delivery; `push_sources_owner.rs`).

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::async_delivery::{AsyncDelivery, AsyncOptions};
use super::bucket_watcher::{BucketRule, BucketSnapshot, BucketWatch, bucket_rules_of};
use super::context::{TriggerContext, load_functions};
use super::http::{GatewayOptions, HttpGateway, HttpRoute, routes_of};
use super::push_sources_owner::{Ownership, PushSourcesOwner, wait_until_owner};
use super::queues::{QueueMapping, known_queues, queue_mappings_of, run_mapping};
use super::schedule_runner::{ScheduledRule, run_schedules, schedules_of};
use super::topics::known_topics;

#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub gateway: GatewayOptions,
    pub delivery: AsyncOptions,
}

pub struct TriggerEngine {
    context: Arc<TriggerContext>,
    gateway: Option<HttpGateway>,
    delivery: Option<Arc<AsyncDelivery>>,
    options: EngineOptions,
    stop: watch::Sender<bool>,
    delivery_task: Option<JoinHandle<()>>,
    /// Stops the schedules and bucket watcher alone (they restart on `reload`).
    schedules_stop: watch::Sender<bool>,
    schedules_task: Option<JoinHandle<()>>,
    buckets_task: Option<JoinHandle<Vec<(String, BucketSnapshot)>>>,
    schedules: Vec<ScheduledRule>,
    bucket_rules: Vec<BucketRule>,
    /// The queue triggers running, and how to stop them (they restart on `reload` when
    /// they changed).
    mappings: Vec<QueueMapping>,
    mappings_stop: watch::Sender<bool>,
    mapping_tasks: Vec<JoinHandle<()>>,
    /// Pollers of an earlier reload finishing their batches in flight.
    retiring_tasks: Vec<JoinHandle<()>>,
    /// The routes of the last (re)load, served when the gateway runs.
    routes: Vec<HttpRoute>,
    delivery_problem: Option<String>,
    /// Whether this process runs the buckets, schedules and asynchronous delivery.
    ownership: Arc<Ownership>,
    ownership_problem: Option<String>,
    takeover_task: Option<JoinHandle<()>>,
    /// What could not start, one message each (a port in use, a bad expression, …).
    pub problems: Vec<String>,
}

impl TriggerEngine {
    /// Starts everything the workspace's functions ask for. Within a tokio runtime.
    pub async fn start(context: Arc<TriggerContext>, options: EngineOptions) -> Self {
        let (stop, _) = watch::channel(false);
        let (schedules_stop, _) = watch::channel(false);
        let (mappings_stop, _) = watch::channel(false);
        let (ownership, ownership_problem) = Ownership::claim(&context.workspace.state_dir());
        let mut engine = Self {
            context,
            gateway: None,
            delivery: None,
            options,
            stop,
            delivery_task: None,
            schedules_stop,
            schedules_task: None,
            buckets_task: None,
            schedules: Vec::new(),
            bucket_rules: Vec::new(),
            mappings: Vec::new(),
            mappings_stop,
            mapping_tasks: Vec::new(),
            retiring_tasks: Vec::new(),
            routes: Vec::new(),
            delivery_problem: None,
            ownership,
            ownership_problem,
            takeover_task: None,
            problems: Vec::new(),
        };
        if engine.ownership.current() != PushSourcesOwner::Owned {
            engine.takeover_task = Some(tokio::spawn(
                Arc::clone(&engine.ownership).take_over_when_free(engine.stop.subscribe()),
            ));
        }
        match AsyncDelivery::open(Arc::clone(&engine.context), engine.options.delivery.clone()) {
            Ok(delivery) => {
                // Only the owner delivers; the others queue events it picks up.
                let owner = engine.ownership.subscribe();
                let mut stop = engine.stop.subscribe();
                let running = Arc::clone(&delivery);
                engine.delivery_task = Some(tokio::spawn(async move {
                    if wait_until_owner(owner, &mut stop).await {
                        running.run(stop).await;
                    }
                }));
                engine.delivery = Some(delivery);
            }
            // A damaged state database is the whole message: nothing runs from it.
            Err(error) if error.is_damaged() => engine.delivery_problem = Some(error.to_string()),
            Err(error) => {
                engine.delivery_problem =
                    Some(format!("asynchronous invocations are off: {error}"));
            }
        }
        // Messages a killed process's functions sent but could not deliver go out now.
        for problem in engine.context.outbox.deliver_orphans() {
            engine
                .context
                .sink
                .finished(super::context::FinishedInvocation {
                    function: String::new(),
                    origin: "outbox".to_owned(),
                    event: Arc::from(""),
                    result: Err(problem),
                });
        }
        engine.reload().await;
        engine
    }

    /// Picks up changed triggers: routes, schedules and buckets as the functions now say
    /// (each function's configuration read once).
    pub async fn reload(&mut self) {
        let (loaded, load_problems) = load_functions(&self.context.workspace);
        let (routes, functions, route_problems) = routes_of(&loaded);
        self.problems = self.delivery_problem.iter().cloned().collect();
        self.problems.extend(self.ownership_problem.clone());
        self.problems.extend(self.ownership.current().note());
        self.problems.extend(load_problems);
        self.problems.extend(route_problems);
        self.routes = routes.routes().to_vec();
        match &self.gateway {
            Some(gateway) => gateway.set_routes(routes, functions),
            None if !routes.is_empty() => {
                match HttpGateway::start(
                    Arc::clone(&self.context),
                    routes,
                    functions,
                    &self.options.gateway,
                )
                .await
                {
                    Ok(gateway) => self.gateway = Some(gateway),
                    Err(error) => self.problems.push(format!(
                        "the HTTP gateway cannot listen on 127.0.0.1:{}: {error} (set gateway_port in lambdesk.toml)",
                        self.options.gateway.port
                    )),
                }
            }
            None => {}
        }
        self.restart_mappings(&loaded).await;
        let (_, topic_problems) = known_topics(&self.context.workspace, &loaded);
        self.problems.extend(topic_problems);
        let (schedules, schedule_problems) = schedules_of(&loaded, Utc::now());
        self.problems.extend(schedule_problems);
        let bucket_rules = bucket_rules_of(&loaded);
        let unchanged = bucket_rules == self.bucket_rules
            && schedules.len() == self.schedules.len()
            && schedules.iter().zip(&self.schedules).all(|(new, old)| {
                new.rule == old.rule
                    && new.expression == old.expression
                    && new.function == old.function
                    && new.schedule.time_zone() == old.schedule.time_zone()
            });
        if unchanged && self.schedules_task.is_some() {
            return;
        }
        let _ = self.schedules_stop.send(true);
        if let Some(task) = self.schedules_task.take() {
            let _ = task.await;
        }
        let previous_snapshots = match self.buckets_task.take() {
            Some(task) => task.await.unwrap_or_default(),
            None => Vec::new(),
        };
        self.schedules = schedules.clone();
        self.bucket_rules = bucket_rules.clone();
        if let Some(delivery) = &self.delivery {
            let (schedules_stop, stopped) = watch::channel(false);
            self.schedules_stop = schedules_stop;
            let region = self.context.workspace.config().region.clone();
            let owner = self.ownership.subscribe();
            let running = Arc::clone(delivery);
            let mut schedules_stopped = stopped.clone();
            // A schedule taken over starts from the takeover: missed times are not caught
            // up on, as when nothing ran.
            self.schedules_task = Some(tokio::spawn(async move {
                if wait_until_owner(owner, &mut schedules_stopped).await {
                    run_schedules(schedules, running, region, schedules_stopped).await;
                }
            }));
            self.buckets_task = Some(self.watch_buckets(
                bucket_rules,
                previous_snapshots,
                Arc::clone(delivery),
                stopped,
            ));
        }
    }

    /// Watches the buckets: at once if this process owns the push sources, else from
    /// when it takes them over (what the buckets hold then is not news: the owner
    /// announced it).
    fn watch_buckets(
        &self,
        rules: Vec<BucketRule>,
        previous: Vec<(String, BucketSnapshot)>,
        delivery: Arc<AsyncDelivery>,
        mut stopped: watch::Receiver<bool>,
    ) -> JoinHandle<Vec<(String, BucketSnapshot)>> {
        let workspace = self.context.workspace.clone();
        if self.ownership.current() == PushSourcesOwner::Owned {
            // The snapshot is taken now, so that a file written right after is news.
            let watch = BucketWatch::new(workspace, rules, previous);
            return tokio::spawn(watch.run(delivery, stopped));
        }
        let owner = self.ownership.subscribe();
        tokio::spawn(async move {
            if !wait_until_owner(owner, &mut stopped).await {
                return previous;
            }
            BucketWatch::new(workspace, rules, Vec::new())
                .run(delivery, stopped)
                .await
        })
    }

    /// Restarts the queue pollers if the queue triggers or the queues changed.
    async fn restart_mappings(&mut self, loaded: &[crate::model::Function]) {
        let Some(delivery) = &self.delivery else {
            return;
        };
        let queues = known_queues(&self.context.workspace, loaded);
        let (mappings, problems) = queue_mappings_of(loaded, &queues);
        self.problems.extend(problems);
        if mappings == self.mappings {
            return;
        }
        // The old pollers stop taking batches now; batches in flight finish on their own
        // (a reload must not wait for a long function), and `stop` waits for them.
        let _ = self.mappings_stop.send(true);
        self.retiring_tasks.append(&mut self.mapping_tasks);
        self.retiring_tasks.retain(|task| !task.is_finished());
        let (mappings_stop, stopped) = watch::channel(false);
        self.mappings_stop = mappings_stop;
        self.mapping_tasks = mappings
            .iter()
            .map(|mapping| {
                tokio::spawn(run_mapping(
                    mapping.clone(),
                    Arc::clone(&self.context),
                    Arc::clone(delivery.queues()),
                    Arc::clone(delivery.queue_sent()),
                    stopped.clone(),
                ))
            })
            .collect();
        self.mappings = mappings;
    }

    pub fn gateway_addr(&self) -> Option<SocketAddr> {
        self.gateway.as_ref().map(HttpGateway::local_addr)
    }

    /// Who runs the workspace's buckets, schedules and asynchronous delivery: this
    /// process, or another one (this one takes over when it exits).
    pub fn push_sources_owner(&self) -> PushSourcesOwner {
        self.ownership.current()
    }

    /// [`Self::push_sources_owner`] as it changes (this process taking over).
    pub fn watch_push_sources_owner(&self) -> watch::Receiver<PushSourcesOwner> {
        self.ownership.subscribe()
    }

    pub fn delivery(&self) -> Option<&Arc<AsyncDelivery>> {
        self.delivery.as_ref()
    }

    /// The HTTP routes the functions ask for (served if the gateway could start).
    pub fn routes(&self) -> &[HttpRoute] {
        &self.routes
    }

    /// The queue triggers being polled.
    pub fn queue_mappings(&self) -> &[QueueMapping] {
        &self.mappings
    }

    pub fn schedules(&self) -> &[ScheduledRule] {
        &self.schedules
    }

    /// Stops cleanly: no new requests or fires; invocations in flight finish; queued
    /// asynchronous events stay queued for the next start.
    pub async fn stop(mut self) {
        let _ = self.schedules_stop.send(true);
        let _ = self.mappings_stop.send(true);
        let _ = self.stop.send(true);
        if let Some(gateway) = self.gateway.take() {
            gateway.stop().await;
        }
        if let Some(task) = self.buckets_task.take() {
            let _ = task.await;
        }
        for task in [
            self.schedules_task.take(),
            self.delivery_task.take(),
            self.takeover_task.take(),
        ]
        .into_iter()
        .flatten()
        .chain(self.mapping_tasks.drain(..))
        .chain(self.retiring_tasks.drain(..))
        {
            let _ = task.await;
        }
        // Everything of this process has stopped: another may take the sources over.
        self.ownership.release();
    }
}
