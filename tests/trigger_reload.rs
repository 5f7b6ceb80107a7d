//! A reload restarts only the triggers that changed: a `rate()` schedule that did not
//! change keeps its next fire time (EventBridge counts a rate from when the rule was
//! created) when another schedule, a new function or a bucket rule changes.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use chrono::{DateTime, Utc};
use common::TestWorkspace;
use common::engine::{Engine, start};
use lambdesk::model::{FunctionConfig, Trigger};

const ANSWERS: &str = "(module (memory (export \"memory\") 1) (func (export \"_start\")))";

fn schedule(expression: &str) -> Trigger {
    Trigger::Schedule {
        expression: expression.to_owned(),
        timezone: None,
        enabled: true,
    }
}

fn bucket(prefix: &str) -> Trigger {
    Trigger::Bucket {
        bucket: "photos".to_owned(),
        events: vec!["s3:ObjectCreated:*".to_owned()],
        prefix: Some(prefix.to_owned()),
        suffix: None,
        enabled: true,
    }
}

/// Each running schedule's next fire time after `now`, as the console shows it.
fn next_fires(engine: &Engine, now: DateTime<Utc>) -> Vec<(String, String, Option<DateTime<Utc>>)> {
    engine
        .engine
        .as_ref()
        .unwrap()
        .schedules()
        .iter()
        .map(|rule| {
            (
                rule.function.clone(),
                rule.expression.clone(),
                rule.schedule.next_after(now),
            )
        })
        .collect()
}

fn next_fire_of(
    fires: &[(String, String, Option<DateTime<Utc>>)],
    function: &str,
) -> Option<DateTime<Utc>> {
    fires
        .iter()
        .find(|(name, _, _)| name == function)
        .and_then(|(_, _, next)| *next)
}

/// Changes `function`'s configuration on disk, then reloads the engine.
fn change_and_reload(
    test: &TestWorkspace,
    engine: &mut Engine,
    function: &str,
    change: impl FnOnce(&mut FunctionConfig),
) {
    let mut config = test.workspace.function(function).unwrap().config;
    change(&mut config);
    test.workspace
        .save_function_config(function, &config)
        .unwrap();
    // The clock moves on between the start and the reload: a restarted rate would count
    // from a later time.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let running = engine.engine.as_mut().unwrap();
    engine.tokio.block_on(running.reload());
}

#[test]
fn changing_one_schedule_leaves_the_others_next_fire_time_alone() {
    let test = TestWorkspace::new();
    test.add_wat("tick", ANSWERS, |config| {
        config.triggers.push(schedule("rate(5 minutes)"));
    });
    test.add_wat("tock", ANSWERS, |config| {
        config.triggers.push(schedule("rate(7 minutes)"));
    });
    let mut engine = start(&test);
    let now = Utc::now();
    let before = next_fires(&engine, now);
    let tick_before = next_fire_of(&before, "tick");
    assert!(tick_before.is_some(), "{before:?}");

    change_and_reload(&test, &mut engine, "tock", |config| {
        config.triggers = vec![schedule("rate(10 minutes)")];
    });
    let after = next_fires(&engine, now);
    assert_eq!(next_fire_of(&after, "tick"), tick_before, "{after:?}");
    assert!(
        after
            .iter()
            .any(|(name, expression, _)| name == "tock" && expression == "rate(10 minutes)"),
        "the changed schedule runs with its new expression: {after:?}"
    );

    // A new function with a schedule of its own.
    test.add_wat("tack", ANSWERS, |config| {
        config.triggers.push(schedule("rate(3 minutes)"));
    });
    let running = engine.engine.as_mut().unwrap();
    engine.tokio.block_on(running.reload());
    let with_new = next_fires(&engine, now);
    assert_eq!(next_fire_of(&with_new, "tick"), tick_before, "{with_new:?}");
    assert_eq!(with_new.len(), 3, "{with_new:?}");
    engine.stop();
}

#[test]
fn a_changed_bucket_rule_does_not_restart_an_unchanged_rate_schedule() {
    let test = TestWorkspace::new();
    test.add_wat("tick", ANSWERS, |config| {
        config.triggers.push(schedule("rate(5 minutes)"));
    });
    test.add_wat("thumbnail", ANSWERS, |config| {
        config.triggers.push(bucket("uploads/"));
    });
    let mut engine = start(&test);
    let now = Utc::now();
    let tick_before = next_fire_of(&next_fires(&engine, now), "tick");
    assert!(tick_before.is_some());

    change_and_reload(&test, &mut engine, "thumbnail", |config| {
        config.triggers = vec![bucket("incoming/")];
    });
    assert_eq!(next_fire_of(&next_fires(&engine, now), "tick"), tick_before);
    engine.stop();
}
