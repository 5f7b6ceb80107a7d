//! Every trigger of a workspace running together: the HTTP gateway, Lambda's Invoke API,
//! schedules, and the asynchronous delivery they feed. `lambdesk serve` runs one
//! headless; the console runs one in the background. Of several on one workspace, one runs
//! the push-style sources (buckets, schedules, asynchronous delivery;
//! `push_sources_owner.rs`).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::async_delivery::{AsyncDelivery, AsyncOptions};
use super::bucket_source::BucketSource;
use super::context::{FinishedInvocation, TriggerContext, load_functions};
use super::http::{GatewayOptions, HttpGateway, HttpRoute, routes_of};
use super::invoke_api::{InvokeApi, InvokeApiOptions};
use super::push_sources_owner::{Ownership, PushSourcesOwner, wait_until_owner};
use super::queues::{QueueMapping, QueueSource};
use super::schedule_runner::{ScheduleSource, ScheduledRule};
use super::supervisor::Supervisor;
use super::topics::known_topics;
use super::trigger_source::RunningSource;

#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub gateway: GatewayOptions,
    pub delivery: AsyncOptions,
    /// Lambda's Invoke API; `None` runs none (tests of other triggers).
    pub invoke_api: Option<InvokeApiOptions>,
}

/// The sources that run a task per rule, reloaded rule by rule. They run from the
/// asynchronous delivery's stores, so only when it could open.
struct RuleSources {
    schedules: RunningSource<ScheduleSource>,
    buckets: RunningSource<BucketSource>,
    queues: RunningSource<QueueSource>,
}

impl RuleSources {
    fn new(
        context: &TriggerContext,
        delivery: &Arc<AsyncDelivery>,
        ownership: &Arc<Ownership>,
        supervisor: &Supervisor,
    ) -> Self {
        let schedules = ScheduleSource {
            delivery: Arc::clone(delivery),
            region: context.workspace.config().region.clone(),
            ownership: Arc::clone(ownership),
        };
        let buckets = BucketSource::new(
            context.workspace.clone(),
            Arc::clone(delivery),
            Arc::clone(ownership),
        );
        let queues = QueueSource {
            context: Arc::clone(delivery.context()),
            store: Arc::clone(delivery.queues()),
            sent: Arc::clone(delivery.queue_sent()),
        };
        Self {
            schedules: RunningSource::new(schedules, supervisor.clone()),
            buckets: RunningSource::new(buckets, supervisor.clone()),
            queues: RunningSource::new(queues, supervisor.clone()),
        }
    }

    fn signal_stop(&self) {
        self.schedules.signal_stop();
        self.buckets.signal_stop();
        self.queues.signal_stop();
    }

    async fn stopped(&mut self) {
        self.buckets.stopped().await;
        self.schedules.stopped().await;
        self.queues.stopped().await;
    }
}

pub struct TriggerEngine {
    context: Arc<TriggerContext>,
    gateway: Option<HttpGateway>,
    invoke_api: Option<InvokeApi>,
    /// Why the Invoke API could not start (its port taken), kept across reloads.
    invoke_api_problem: Option<String>,
    delivery: Option<Arc<AsyncDelivery>>,
    options: EngineOptions,
    /// Restarts a task that panicked, and says so.
    supervisor: Supervisor,
    /// Stops the asynchronous delivery and the takeover of the push sources.
    stop: watch::Sender<bool>,
    delivery_task: Option<JoinHandle<()>>,
    sources: Option<RuleSources>,
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
        let (ownership, ownership_problem) = Ownership::claim(&context.workspace.state_dir());
        let supervisor = Supervisor::new(Arc::clone(&context.sink));
        let mut engine = Self {
            context,
            gateway: None,
            invoke_api: None,
            invoke_api_problem: None,
            delivery: None,
            options,
            supervisor,
            stop,
            delivery_task: None,
            sources: None,
            routes: Vec::new(),
            delivery_problem: None,
            ownership,
            ownership_problem,
            takeover_task: None,
            problems: Vec::new(),
        };
        if engine.ownership.current() != PushSourcesOwner::Owned {
            let ownership = Arc::clone(&engine.ownership);
            let stop = engine.stop.subscribe();
            let take_over = move || -> super::supervisor::TaskFuture {
                Box::pin(Arc::clone(&ownership).take_over_when_free(stop.clone()))
            };
            engine.takeover_task = Some(engine.supervisor.spawn(
                "the takeover of buckets, schedules and async delivery".to_owned(),
                engine.stop.subscribe(),
                take_over(),
                take_over,
            ));
        }
        match AsyncDelivery::open(Arc::clone(&engine.context), engine.options.delivery.clone()) {
            Ok(delivery) => {
                // Only the owner delivers; the others queue events it picks up.
                let owner = engine.ownership.subscribe();
                let stop = engine.stop.subscribe();
                let running = Arc::clone(&delivery);
                let deliver = move || -> super::supervisor::TaskFuture {
                    let (owner, mut stop, running) =
                        (owner.clone(), stop.clone(), Arc::clone(&running));
                    Box::pin(async move {
                        if wait_until_owner(owner, &mut stop).await {
                            running.run(stop).await;
                        }
                    })
                };
                engine.delivery_task = Some(engine.supervisor.spawn(
                    "asynchronous delivery".to_owned(),
                    engine.stop.subscribe(),
                    deliver(),
                    deliver,
                ));
                engine.sources = Some(RuleSources::new(
                    &engine.context,
                    &delivery,
                    &engine.ownership,
                    &engine.supervisor,
                ));
                engine.delivery = Some(delivery);
            }
            // A damaged state database is the whole message: nothing runs from it.
            Err(error) if error.is_damaged() => engine.delivery_problem = Some(error.to_string()),
            Err(error) => {
                engine.delivery_problem =
                    Some(format!("asynchronous invocations are off: {error}"));
            }
        }
        // Unlike the gateway it starts whether or not a function has a trigger: every
        // function can be invoked. Its `Event` invocations go to the backlog, which the
        // owner of the push sources delivers (this process or another).
        if let Some(options) = engine.options.invoke_api.clone() {
            match InvokeApi::start(
                Arc::clone(&engine.context),
                engine.delivery.clone(),
                &options,
            )
            .await
            {
                Ok(api) => engine.invoke_api = Some(api),
                Err(error) => {
                    engine.invoke_api_problem = Some(format!(
                        "the Lambda Invoke API cannot listen on 127.0.0.1:{}: {error} (set lambda_api_port in lambdesk.toml)",
                        options.port
                    ));
                }
            }
        }
        // Messages a killed process's functions sent but could not deliver go out now.
        for problem in engine.context.outbox.deliver_orphans() {
            engine.context.sink.finished(FinishedInvocation {
                function: String::new(),
                origin: "outbox".to_owned(),
                event: Arc::from(""),
                result: Err(problem),
            });
        }
        engine.reload().await;
        engine
    }

    /// Picks up changed triggers: routes, queue triggers, schedules and buckets as the
    /// functions now say (each function's configuration read once). Only what changed
    /// restarts: a schedule that did not change keeps its next fire time, a queue
    /// trigger keeps polling, a bucket keeps its watch.
    pub async fn reload(&mut self) {
        let (loaded, load_problems) = load_functions(&self.context.workspace);
        let (routes, functions, route_problems) = routes_of(&loaded);
        self.problems = self.delivery_problem.iter().cloned().collect();
        self.problems.extend(self.invoke_api_problem.clone());
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
                    Ok(gateway) => {
                        self.context
                            .runtime
                            .set_gateway_addr(Some(gateway.local_addr()));
                        self.gateway = Some(gateway);
                    }
                    Err(error) => self.problems.push(format!(
                        "the HTTP gateway cannot listen on 127.0.0.1:{}: {error} (set gateway_port in lambdesk.toml)",
                        self.options.gateway.port
                    )),
                }
            }
            None => {}
        }
        if let Some(sources) = &mut self.sources {
            let queue_problems = sources.queues.reload(&loaded).await;
            self.problems.extend(queue_problems);
        }
        let (_, topic_problems) = known_topics(&self.context.workspace, &loaded);
        self.problems.extend(topic_problems);
        if let Some(sources) = &mut self.sources {
            let schedule_problems = sources.schedules.reload(&loaded).await;
            self.problems.extend(schedule_problems);
            sources.buckets.reload(&loaded).await;
        }
    }

    pub fn gateway_addr(&self) -> Option<SocketAddr> {
        self.gateway.as_ref().map(HttpGateway::local_addr)
    }

    /// Where Lambda's Invoke API listens, if it could start.
    pub fn invoke_api_addr(&self) -> Option<SocketAddr> {
        self.invoke_api.as_ref().map(InvokeApi::local_addr)
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
        self.sources
            .as_ref()
            .map_or(&[], |sources| sources.queues.rules())
    }

    /// The schedules running, each with the start its fire times count from.
    pub fn schedules(&self) -> &[ScheduledRule] {
        self.sources
            .as_ref()
            .map_or(&[], |sources| sources.schedules.rules())
    }

    /// Stops cleanly: no new requests or fires; invocations in flight finish; queued
    /// asynchronous events stay queued for the next start.
    pub async fn stop(mut self) {
        if let Some(sources) = &self.sources {
            sources.signal_stop();
        }
        let _ = self.stop.send(true);
        if let Some(gateway) = self.gateway.take() {
            self.context.runtime.set_gateway_addr(None);
            gateway.stop().await;
        }
        if let Some(api) = self.invoke_api.take() {
            api.stop().await;
        }
        if let Some(sources) = &mut self.sources {
            sources.stopped().await;
        }
        for task in [self.delivery_task.take(), self.takeover_task.take()]
            .into_iter()
            .flatten()
        {
            let _ = task.await;
        }
        // Everything of this process has stopped: another may take the sources over.
        self.ownership.release();
    }
}
