//! "Send test event" on a trigger card: fires the trigger's source for real (an object
//! written into the bucket folder, a request to the route through the running gateway, a
//! message sent to the queue, a publication to the topic, the schedule's event queued now),
//! so the invocation that follows went the whole way a real event goes.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::{Console, NotificationLevel};
use crate::model::Trigger;
use crate::triggers::events::schedule::ScheduledEvent;

/// How long a test request to the gateway may take, connection to last byte: the gateway
/// answers once the function returned, so this is about the longest timeout Lambda
/// allows an HTTP API integration (30 s).
const HTTP_TEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The part of the gateway's answer kept to show (the status line is what is shown).
const HTTP_ANSWER_LIMIT: u64 = 64 * 1024;

/// Where a test event's invocation shows up.
const SEE_LOGS: &str = "see Logs for its invocation";

impl Console {
    /// Fires trigger `index` of `function` as its source would: reads the trigger from
    /// `function.toml` (what the engine runs), not from a form being edited.
    pub(super) fn send_test_event(&mut self, function: &str, index: usize) {
        let trigger = match self.workspace.function(function) {
            Ok(loaded) => loaded.config.triggers.get(index).cloned(),
            Err(error) => {
                self.notify(
                    NotificationLevel::Error,
                    format!("Could not send a test event to {function}: {error}"),
                );
                return;
            }
        };
        let Some(trigger) = trigger else {
            self.notify(
                NotificationLevel::Error,
                format!("{function} has no trigger number {} any more", index + 1),
            );
            return;
        };
        if !trigger.is_enabled() {
            self.notify(
                NotificationLevel::Warning,
                format!(
                    "The trigger `{}` of {function} is switched off: switch it on to send it a test event",
                    trigger.summary()
                ),
            );
            return;
        }
        if self.engine.is_none() {
            self.notify(
                NotificationLevel::Warning,
                "The triggers are not running in this console: nothing would pick a test event up",
            );
            return;
        }
        let result = match &trigger {
            Trigger::Bucket {
                bucket,
                events,
                prefix,
                suffix,
                ..
            } => self.write_test_object(
                function,
                bucket,
                events,
                prefix.as_deref(),
                suffix.as_deref(),
            ),
            Trigger::Http { route, .. } => {
                self.request_route(function, route);
                return;
            }
            Trigger::Queue { queue, .. } => {
                // FIFO queues need a message group; the time keeps content-based
                // deduplication from dropping a second test within five minutes.
                let group = queue.ends_with(".fifo").then_some("lambdesk-test");
                self.messaging
                    .send(queue, &test_body(function), "", group)
                    .map(|sent| {
                        format!("{sent}: {function} receives it from the queue; {SEE_LOGS}")
                    })
            }
            Trigger::Topic { topic, .. } => self
                .messaging
                .publish(topic, &test_body(function), "lambdesk test event", "")
                .map(|published| format!("{published}; {SEE_LOGS}")),
            Trigger::Schedule { expression, .. } => self.fire_schedule(function, index, expression),
        };
        self.say(result);
    }

    /// Writes `<prefix>lambdesk-test-<time><suffix>` into the bucket folder, where the
    /// engine's watch of the bucket sees it as a new object; a trigger on removals only
    /// sees it go again a moment later.
    fn write_test_object(
        &self,
        function: &str,
        bucket: &str,
        events: &[String],
        prefix: Option<&str>,
        suffix: Option<&str>,
    ) -> Result<String, String> {
        let key = format!(
            "{}lambdesk-test-{}{}",
            prefix.unwrap_or_default(),
            chrono::Utc::now().format("%Y%m%dT%H%M%S%3f"),
            suffix.unwrap_or(".json")
        );
        let path = self.workspace.buckets_dir().join(bucket).join(&key);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, test_body(function)));
        if let Err(error) = written {
            return Err(format!(
                "Could not write the test object {}: {error}",
                path.display()
            ));
        }
        let removals_only = !events.is_empty()
            && events
                .iter()
                .all(|event| event.starts_with("s3:ObjectRemoved"));
        if removals_only {
            let notifications = self.notifications.clone();
            let waker = self.waker.clone();
            self.tokio.spawn(async move {
                // Long enough for the watch to have seen the object arrive.
                tokio::time::sleep(Duration::from_secs(1)).await;
                if let Err(error) = std::fs::remove_file(&path) {
                    notifications.push(
                        NotificationLevel::Error,
                        format!(
                            "Could not remove the test object {}: {error}",
                            path.display()
                        ),
                    );
                    waker();
                }
            });
        }
        Ok(format!(
            "Wrote the test object `{key}` into bucket {bucket}{}: {function} gets its notification; {SEE_LOGS}",
            if removals_only {
                " (removed again in a second)"
            } else {
                ""
            }
        ))
    }

    /// Queues the schedule's event now, as the engine does when the schedule fires.
    fn fire_schedule(
        &self,
        function: &str,
        index: usize,
        expression: &str,
    ) -> Result<String, String> {
        let Some(delivery) = self.engine.as_ref().and_then(|engine| engine.delivery()) else {
            return Err(
                "Another lambdesk runs this workspace's schedules: fire it from there".to_owned(),
            );
        };
        let mut event = ScheduledEvent::new(format!("{function}-schedule-{}", index + 1));
        self.workspace.config().region.clone_into(&mut event.region);
        event.time = chrono::Utc::now();
        let origin = format!("Schedule {expression} (test event)");
        delivery
            .enqueue(function, &event.event().to_string(), &origin, 0)
            .map(|_| format!("Fired the schedule `{expression}` of {function} now; {SEE_LOGS}"))
            .map_err(|error| format!("Could not fire the schedule `{expression}`: {error}"))
    }

    /// Sends a request to `route` through the running gateway, off the UI thread; says
    /// how the gateway answered.
    fn request_route(&mut self, function: &str, route: &str) {
        let Some(url) = self.state.gateway_url.clone() else {
            self.notify(
                NotificationLevel::Warning,
                "The HTTP gateway is not running: start it to send a test request",
            );
            return;
        };
        let (method, path) = test_request_line(route);
        let address = url.trim_start_matches("http://").to_owned();
        let notifications = self.notifications.clone();
        let waker = self.waker.clone();
        let function = function.to_owned();
        self.notify(
            NotificationLevel::Info,
            format!("Sending {method} {path} to {url} for {function}…"),
        );
        self.tokio.spawn(async move {
            let answer =
                tokio::time::timeout(HTTP_TEST_TIMEOUT, send_request(&address, &method, &path))
                    .await
                    .unwrap_or_else(|_| {
                        Err(format!(
                            "no answer within {} s",
                            HTTP_TEST_TIMEOUT.as_secs()
                        ))
                    });
            match answer {
                Ok(status) => notifications.push(
                    NotificationLevel::Info,
                    format!("{method} {path} answered {status} ({function}); {SEE_LOGS}"),
                ),
                Err(problem) => notifications.push(
                    NotificationLevel::Error,
                    format!("The test request {method} {path} failed: {problem}"),
                ),
            }
            waker();
        });
    }
}

/// The body of a test message or object: JSON that says where it came from.
fn test_body(function: &str) -> String {
    serde_json::json!({
        "source": "lambdesk test event",
        "function": function,
        "time": chrono::Utc::now().to_rfc3339(),
    })
    .to_string()
}

/// The method and path of a request `route` takes: `{param}` becomes `1` (the id sample
/// data most likely has), a greedy `{proxy+}` `lambdesk-test`, `ANY` and `$default` a GET.
fn test_request_line(route: &str) -> (String, String) {
    let Some((method, path)) = route.split_once(' ') else {
        return ("GET".to_owned(), "/".to_owned());
    };
    let method = if method == "ANY" { "GET" } else { method };
    let path = path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with("+}") {
                "lambdesk-test"
            } else if segment.starts_with('{') && segment.ends_with('}') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    (method.to_owned(), path)
}

/// One HTTP/1.1 request to the gateway at `address`; the answer's status line.
async fn send_request(address: &str, method: &str, path: &str) -> Result<String, String> {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|error| format!("could not connect to {address}: {error}"))?;
    let body = if matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS") {
        String::new()
    } else {
        test_body("")
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: lambdesk-test-event\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|error| format!("could not send the request: {error}"))?;
    let mut answer = Vec::new();
    stream
        .take(HTTP_ANSWER_LIMIT)
        .read_to_end(&mut answer)
        .await
        .map_err(|error| format!("could not read the answer: {error}"))?;
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default();
    match status_line.strip_prefix("HTTP/1.1 ") {
        Some(status) => Ok(format!("HTTP {status}")),
        None => Err(format!("the gateway's answer is not HTTP: `{status_line}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::test_request_line;

    #[test]
    fn a_route_becomes_a_request_with_sample_parameters() {
        let line = |route: &str| test_request_line(route);
        assert_eq!(line("GET /items/{id}"), ("GET".into(), "/items/1".into()));
        assert_eq!(
            line("ANY /files/{proxy+}"),
            ("GET".into(), "/files/lambdesk-test".into())
        );
        assert_eq!(line("POST /items"), ("POST".into(), "/items".into()));
        assert_eq!(line("$default"), ("GET".into(), "/".into()));
    }
}
