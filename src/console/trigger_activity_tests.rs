use super::*;

fn config(triggers_and_destinations: &str) -> FunctionConfig {
    toml::from_str(&format!(
        "runtime = \"js\"\nhandler = \"index.handler\"\n{triggers_and_destinations}"
    ))
    .unwrap()
}

fn http(route: &str) -> Trigger {
    Trigger::http(route)
}

/// An invocation of `function` from `source` that finished `ago_secs` before `now`.
fn invocation(
    function: &str,
    source: &str,
    ago_secs: i64,
    error: bool,
    now: DateTime<Utc>,
) -> InvocationSummary {
    InvocationSummary {
        request_id: format!("{function}-{source}-{ago_secs}"),
        function: function.to_owned(),
        // Ran 200 ms.
        started_at: now - TimeDelta::seconds(ago_secs) - TimeDelta::milliseconds(200),
        duration_ms: 200.0,
        billed_duration_ms: 200,
        memory_size_mb: 128,
        error_type: error.then(|| "Error".to_owned()),
        cost_usd: 0.0,
        source: source.to_owned(),
        event: None,
    }
}

#[test]
fn counts_the_last_minute_of_a_route_with_its_errors() {
    let now = Utc::now();
    let mut history = InvocationHistory::default();
    // Oldest first, as the ledger records them.
    history.push(invocation("api", "HTTP GET /items/{id}", 90, false, now));
    history.push(invocation("api", "HTTP GET /items/{id}", 50, true, now));
    history.push(invocation("api", "HTTP GET /items/{id}", 3, false, now));
    history.push(invocation("api", "HTTP GET /items/{id}", 1, true, now));
    let activity = trigger_activity(&history, "api", &http("GET /items/{id}"), now);
    assert_eq!(activity.per_minute, 3);
    assert_eq!(activity.errors_last_minute, 2);
    assert_eq!(activity.last_at, Some(now - TimeDelta::seconds(1)));
    assert!(activity.is_fresh(now, TimeDelta::seconds(1)));
    assert!(!activity.is_fresh(now + TimeDelta::seconds(2), TimeDelta::seconds(1)));
}

#[test]
fn unrelated_origins_and_other_functions_are_not_counted() {
    let now = Utc::now();
    let mut history = InvocationHistory::default();
    history.push(invocation("api", "HTTP GET /items", 5, false, now));
    history.push(invocation("api", "HTTP POST /items/{id}", 5, false, now));
    history.push(invocation("api", "Test", 5, false, now));
    history.push(invocation("api", "Re-run", 5, false, now));
    history.push(invocation("other", "HTTP GET /items/{id}", 5, false, now));
    let activity = trigger_activity(&history, "api", &http("GET /items/{id}"), now);
    assert_eq!(activity, TriggerActivity::default());
}

#[test]
fn retries_and_test_events_count_for_their_source() {
    let now = Utc::now();
    let mut history = InvocationHistory::default();
    history.push(invocation("job", "Schedule rate(5 minutes)", 4, true, now));
    history.push(invocation(
        "job",
        "Schedule rate(5 minutes) (retry 1)",
        3,
        false,
        now,
    ));
    history.push(invocation(
        "job",
        "Schedule rate(5 minutes) (test event)",
        2,
        false,
        now,
    ));
    history.push(invocation("job", "Schedule rate(1 minute)", 2, false, now));
    let schedule = Trigger::Schedule {
        expression: "rate(5 minutes)".to_owned(),
        timezone: None,
        enabled: true,
    };
    let activity = trigger_activity(&history, "job", &schedule, now);
    assert_eq!((activity.per_minute, activity.errors_last_minute), (3, 1));
}

#[test]
fn bucket_events_count_for_the_trigger_that_wants_them() {
    let config = config(
        "[[triggers]]\ntype = \"bucket\"\nbucket = \"photos\"\nevents = [\"s3:ObjectCreated:*\"]\n\
         [[triggers]]\ntype = \"bucket\"\nbucket = \"photos\"\nevents = [\"s3:ObjectRemoved:Delete\"]\n\
         [[triggers]]\ntype = \"queue\"\nqueue = \"orders\"\n\
         [[triggers]]\ntype = \"topic\"\ntopic = \"alerts\"\n",
    );
    let now = Utc::now();
    let mut history = InvocationHistory::default();
    history.push(invocation(
        "f",
        "Bucket photos ObjectCreated:Put",
        9,
        false,
        now,
    ));
    history.push(invocation(
        "f",
        "Bucket photos ObjectCreated:Copy",
        8,
        false,
        now,
    ));
    history.push(invocation(
        "f",
        "Bucket photos ObjectRemoved:Delete",
        7,
        false,
        now,
    ));
    history.push(invocation(
        "f",
        "Bucket photosx ObjectCreated:Put",
        7,
        false,
        now,
    ));
    history.push(invocation("f", "Queue orders", 6, true, now));
    history.push(invocation("f", "Queue orders-dlq", 6, true, now));
    history.push(invocation("f", "Topic alerts", 5, false, now));
    let activity = overview_activity(&history, "f", &config, now);
    let counts: Vec<(usize, usize)> = activity
        .triggers
        .iter()
        .map(|trigger| (trigger.per_minute, trigger.errors_last_minute))
        .collect();
    assert_eq!(counts, [(2, 0), (1, 0), (1, 1), (1, 0)]);
}

#[test]
fn a_function_destination_counts_the_deliveries_from_this_function() {
    let config = config(
        "[destinations]\non_success = { function = \"audit\" }\non_failure = { function = \"alarm\" }\n",
    );
    let now = Utc::now();
    let mut history = InvocationHistory::default();
    history.push(invocation(
        "audit",
        "Destination of f (Success)",
        3,
        false,
        now,
    ));
    history.push(invocation(
        "audit",
        "Destination of g (Success)",
        3,
        false,
        now,
    ));
    history.push(invocation(
        "alarm",
        "Destination of f (RetriesExhausted)",
        2,
        true,
        now,
    ));
    let activity = overview_activity(&history, "f", &config, now);
    assert_eq!(activity.on_success.per_minute, 1);
    assert_eq!(
        (
            activity.on_failure.per_minute,
            activity.on_failure.errors_last_minute
        ),
        (1, 1)
    );
}

#[test]
fn the_walk_back_stops_past_the_window() {
    let now = Utc::now();
    let mut history = InvocationHistory::default();
    // Recorded out of order (a long run finished later): still counted inside the slack.
    history.push(invocation("api", "HTTP GET /", 30, false, now));
    history.push(invocation("api", "HTTP GET /", 62, false, now));
    history.push(invocation("api", "HTTP GET /", 10, false, now));
    let activity = trigger_activity(&history, "api", &http("GET /"), now);
    assert_eq!(activity.per_minute, 2);
}
