//! `lambdesk trigger|destination|queue|topic|bucket` editing a workspace: the real binary
//! on temporary workspaces. Each edit keeps the user's comments; each bad value exits 2
//! with one message and leaves the files byte for byte as they were.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const WORKER: &str = "# Resizes uploads.\nruntime = \"wat\"\nhandler = \"main.wat\" # the module\n\ntimeout_secs = 3 # quick\n";
const ITEMS: &str = "runtime = \"wat\"\nhandler = \"main.wat\"\n\n[[triggers]]\ntype = \"http\"\nroute = \"GET /items/{id}\"\n";
const WORKSPACE: &str =
    "# Settings shared by every function.\nregion = \"eu-west-1\" # near the users\n";

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    /// A workspace with `worker` (no triggers) and `items` (serving `GET /items/{id}`).
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cli = Self { dir };
        std::fs::create_dir_all(cli.workspace()).unwrap();
        std::fs::write(cli.workspace().join("lambdesk.toml"), WORKSPACE).unwrap();
        for (name, text) in [("worker", WORKER), ("items", ITEMS)] {
            let function = cli.workspace().join("functions").join(name);
            std::fs::create_dir_all(&function).unwrap();
            std::fs::write(function.join("function.toml"), text).unwrap();
            std::fs::write(
                function.join("main.wat"),
                "(module (func (export \"_start\")))",
            )
            .unwrap();
        }
        cli
    }

    fn workspace(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_lambdesk"))
            .arg("--workspace")
            .arg(self.workspace())
            .args(args)
            .env("LAMBDESK_CACHE_DIR", self.dir.path().join("cache"))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command that must be refused with exit 2, one line on stderr, and no file
    /// of the workspace changed; returns that line.
    fn refused(&self, args: &[&str]) -> String {
        let before = self.files();
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(self.files(), before, "{args:?} changed a file");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{message}");
        message
    }

    fn function_toml(&self, name: &str) -> String {
        std::fs::read_to_string(
            self.workspace()
                .join("functions")
                .join(name)
                .join("function.toml"),
        )
        .unwrap()
    }

    fn lambdesk_toml(&self) -> String {
        std::fs::read_to_string(self.workspace().join("lambdesk.toml")).unwrap()
    }

    /// Every file and folder of the workspace with its contents.
    fn files(&self) -> Vec<(PathBuf, Option<Vec<u8>>)> {
        let mut found = Vec::new();
        let mut pending = vec![self.workspace()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    found.push((path.clone(), None));
                    pending.push(path);
                } else {
                    found.push((path.clone(), Some(std::fs::read(&path).unwrap())));
                }
            }
        }
        found.sort();
        found
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn each_kind_of_trigger_is_added_in_place_and_listed() {
    let cli = Cli::new();
    assert_eq!(
        cli.ok(&[
            "trigger", "add", "worker", "--type", "bucket", "--bucket", "photos", "--prefix",
            "uploads/", "--suffix", ".png"
        ]),
        "added trigger 1 to worker\n"
    );
    cli.ok(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "http",
        "--route",
        "GET /resize",
    ]);
    cli.ok(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "schedule",
        "--expression",
        "cron(0 8 ? * MON-FRI *)",
        "--timezone",
        "Europe/Berlin",
        "--disabled",
    ]);
    cli.ok(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "queue",
        "--queue",
        "orders",
        "--batch-size",
        "20",
        "--batching-window-secs",
        "5",
        "--report-batch-item-failures",
    ]);
    cli.ok(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "topic",
        "--topic",
        "alerts",
        "--filter-policy",
        "{\"level\": [\"high\"]}",
    ]);
    assert_eq!(
        cli.function_toml("worker"),
        format!(
            "{WORKER}\n[[triggers]]\ntype = \"bucket\"\nbucket = \"photos\"\nevents = [\"s3:ObjectCreated:*\"]\nprefix = \"uploads/\"\nsuffix = \".png\"\n\n[[triggers]]\ntype = \"http\"\nroute = \"GET /resize\"\n\n[[triggers]]\ntype = \"schedule\"\nexpression = \"cron(0 8 ? * MON-FRI *)\"\ntimezone = \"Europe/Berlin\"\nenabled = false\n\n[[triggers]]\ntype = \"queue\"\nqueue = \"orders\"\nbatch_size = 20\nmaximum_batching_window_secs = 5\nreport_batch_item_failures = true\n\n[[triggers]]\ntype = \"topic\"\ntopic = \"alerts\"\n\n[triggers.filter_policy]\nlevel = [\"high\"]\n"
        )
    );
    assert_eq!(
        cli.ok(&["trigger", "list"]),
        "FUNCTION                   #  KIND      ENABLED  SUMMARY\n\
         items                      1  http      yes      GET /items/{id}\n\
         worker                     1  bucket    yes      photos · uploads/* · *.png · s3:ObjectCreated:*\n\
         worker                     2  http      yes      GET /resize\n\
         worker                     3  schedule  no       cron(0 8 ? * MON-FRI *) · Europe/Berlin\n\
         worker                     4  queue     yes      orders · batch 20 · window 5 s · reports item failures\n\
         worker                     5  topic     yes      alerts · filter policy {\"level\":[\"high\"]}\n"
    );
    assert_eq!(
        cli.ok(&["trigger", "list", "items"]).lines().count(),
        2,
        "the header and items' one trigger"
    );
}

#[test]
fn triggers_are_switched_and_removed_by_their_number_in_the_list() {
    let cli = Cli::new();
    assert_eq!(
        cli.ok(&["trigger", "disable", "items", "1"]),
        "trigger 1 of items is disabled\n"
    );
    assert_eq!(
        cli.function_toml("items"),
        format!("{ITEMS}enabled = false\n")
    );
    cli.ok(&["trigger", "enable", "items", "1"]);
    assert_eq!(cli.function_toml("items"), ITEMS);
    assert_eq!(
        cli.ok(&["trigger", "remove", "items", "1"]),
        "removed trigger 1 (http GET /items/{id}) from items\n"
    );
    assert_eq!(
        cli.function_toml("items"),
        "runtime = \"wat\"\nhandler = \"main.wat\"\n"
    );
}

#[test]
fn bad_triggers_are_refused_with_one_message_and_nothing_written() {
    let cli = Cli::new();
    let message = cli.refused(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "schedule",
        "--expression",
        "cron(0 8 * * MON *)",
    ]);
    assert!(message.starts_with("lambdesk: cannot add the schedule trigger to `worker`: `cron(0 8 * * MON *)` is not a valid schedule expression"), "{message}");
    let message = cli.refused(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "http",
        "--route",
        "GET /items/{key}",
    ]);
    assert_eq!(
        message,
        "lambdesk: route `GET /items/{key}` conflicts with `GET /items/{id}` of function `items`: API Gateway would not know which one a request is for\n"
    );
    let message = cli.refused(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "bucket",
        "--bucket",
        "My_Photos",
    ]);
    assert!(
        message.contains("`My_Photos` is not a valid bucket name"),
        "{message}"
    );
    let message = cli.refused(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "queue",
        "--queue",
        "orders",
        "--batch-size",
        "50",
    ]);
    assert!(
        message.contains("needs a batching window of at least 1 s"),
        "{message}"
    );
    let message = cli.refused(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "topic",
        "--topic",
        "alerts",
        "--filter-policy",
        "{\"level\": \"high\"}",
    ]);
    assert!(message.contains("`level`"), "{message}");
    let message = cli.refused(&[
        "trigger", "add", "worker", "--type", "http", "--bucket", "photos",
    ]);
    assert_eq!(
        message,
        "lambdesk: --bucket is for bucket triggers, not http\n"
    );
    let message = cli.refused(&["trigger", "add", "worker", "--type", "queue"]);
    assert_eq!(message, "lambdesk: a queue trigger needs --queue NAME\n");
    let message = cli.refused(&["trigger", "remove", "items", "2"]);
    assert_eq!(
        message,
        "lambdesk: function `items` has no trigger 2: it has 1 trigger (number 1)\n"
    );
    let message = cli.refused(&["trigger", "enable", "nobody", "1"]);
    assert!(message.contains("no function named `nobody`"), "{message}");
    // A disabled route switched back on may not take another function's requests.
    cli.ok(&["trigger", "disable", "items", "1"]);
    cli.ok(&[
        "trigger",
        "add",
        "worker",
        "--type",
        "http",
        "--route",
        "GET /items/{key}",
    ]);
    let message = cli.refused(&["trigger", "enable", "items", "1"]);
    assert!(
        message.contains("conflicts with `GET /items/{key}` of function `worker`"),
        "{message}"
    );
}

#[test]
fn a_queue_trigger_needs_a_visibility_timeout_at_least_the_functions_timeout() {
    let cli = Cli::new();
    std::fs::write(
        cli.workspace().join("functions/worker/function.toml"),
        WORKER.replace("timeout_secs = 3", "timeout_secs = 60"),
    )
    .unwrap();
    let message = cli.refused(&[
        "trigger", "add", "worker", "--type", "queue", "--queue", "orders",
    ]);
    assert!(message.starts_with("lambdesk: Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"), "{message}");
    cli.ok(&[
        "queue",
        "create",
        "orders",
        "--visibility-timeout-secs",
        "360",
    ]);
    cli.ok(&[
        "trigger", "add", "worker", "--type", "queue", "--queue", "orders",
    ]);
}

#[test]
fn destinations_are_set_and_cleared_in_place() {
    let cli = Cli::new();
    assert_eq!(
        cli.ok(&["destination", "set", "worker", "--on-failure", "queue:dlq"]),
        "worker: on success -, on failure queue:dlq\n"
    );
    assert_eq!(
        cli.ok(&["destination", "set", "worker", "--on-success", "topic:done"]),
        "worker: on success topic:done, on failure queue:dlq\n"
    );
    assert_eq!(
        cli.function_toml("worker"),
        format!(
            "{WORKER}\n[destinations.on_failure]\nqueue = \"dlq\"\n\n[destinations.on_success]\ntopic = \"done\"\n"
        )
    );
    let message = cli.refused(&["destination", "set", "worker", "--on-failure", "sqs:dlq"]);
    assert_eq!(
        message,
        "lambdesk: `sqs:dlq` is not a destination: use function:NAME, queue:NAME, topic:NAME or bucket:NAME\n"
    );
    let message = cli.refused(&[
        "destination",
        "set",
        "worker",
        "--on-failure",
        "queue:jobs.fifo",
    ]);
    assert!(
        message.contains("Lambda's destinations take standard queues only"),
        "{message}"
    );
    cli.ok(&["destination", "set", "worker", "--clear"]);
    assert_eq!(cli.function_toml("worker"), WORKER);
}

#[test]
fn queues_and_topics_are_created_and_deleted_in_lambdesk_toml() {
    let cli = Cli::new();
    assert_eq!(
        cli.ok(&["queue", "create", "orders-dlq"]),
        "created standard queue orders-dlq in lambdesk.toml\n"
    );
    cli.ok(&[
        "queue",
        "create",
        "orders",
        "--visibility-timeout-secs",
        "60",
        "--dead-letter-queue",
        "orders-dlq",
        "--max-receive-count",
        "3",
    ]);
    assert_eq!(
        cli.ok(&["queue", "create", "work.fifo"]),
        "created FIFO queue work.fifo in lambdesk.toml\n"
    );
    cli.ok(&["topic", "create", "alerts"]);
    assert_eq!(
        cli.lambdesk_toml(),
        format!(
            "{WORKSPACE}\n[queues.orders-dlq]\nvisibility_timeout_secs = 30\nmessage_retention_secs = 345600\n\n[queues.orders]\nvisibility_timeout_secs = 60\nmessage_retention_secs = 345600\nmax_receive_count = 3\ndead_letter_queue = \"orders-dlq\"\n\n[queues.\"work.fifo\"]\nvisibility_timeout_secs = 30\nmessage_retention_secs = 345600\nfifo = true\n\n[topics.alerts]\n"
        )
    );
    // The existing queue commands still work beside the new ones.
    assert!(cli.ok(&["queue", "list"]).contains("orders-dlq"));
    cli.ok(&["queue", "delete", "work.fifo"]);
    cli.ok(&["topic", "delete", "alerts"]);
    assert!(!cli.lambdesk_toml().contains("work.fifo"));
    assert!(cli.lambdesk_toml().starts_with(WORKSPACE));
    assert!(!cli.lambdesk_toml().contains("alerts"));
}

#[test]
fn queues_and_topics_in_use_or_invalid_are_refused() {
    let cli = Cli::new();
    cli.ok(&["queue", "create", "orders-dlq"]);
    cli.ok(&[
        "queue",
        "create",
        "orders",
        "--dead-letter-queue",
        "orders-dlq",
        "--max-receive-count",
        "3",
    ]);
    cli.ok(&["topic", "create", "alerts"]);
    cli.ok(&[
        "trigger", "add", "worker", "--type", "queue", "--queue", "orders",
    ]);
    cli.ok(&[
        "trigger", "add", "worker", "--type", "topic", "--topic", "alerts",
    ]);
    assert_eq!(
        cli.refused(&["queue", "delete", "orders"]),
        "lambdesk: queue `orders` is in use by function `worker` (trigger 1): change or remove those first\n"
    );
    assert_eq!(
        cli.refused(&["queue", "delete", "orders-dlq"]),
        "lambdesk: queue `orders-dlq` is in use by queue `orders` (as its dead-letter queue): change or remove those first\n"
    );
    assert_eq!(
        cli.refused(&["topic", "delete", "alerts"]),
        "lambdesk: topic `alerts` is in use by function `worker` (trigger 2): change or remove those first\n"
    );
    assert_eq!(
        cli.refused(&["queue", "delete", "nope"]),
        "lambdesk: there is no queue named `nope` (there are: orders, orders-dlq)\n"
    );
    assert_eq!(
        cli.refused(&["queue", "create", "orders"]),
        "lambdesk: there is already a queue named `orders`\n"
    );
    let message = cli.refused(&[
        "queue",
        "create",
        "big",
        "--visibility-timeout-secs",
        "50000",
    ]);
    assert!(
        message.contains("above SQS's limit of 43200 s"),
        "{message}"
    );
    let message = cli.refused(&[
        "queue",
        "create",
        "jobs",
        "--dead-letter-queue",
        "missing",
        "--max-receive-count",
        "3",
    ]);
    assert!(message.contains("there is no queue `missing`"), "{message}");
    let message = cli.refused(&["queue", "create", "bad name"]);
    assert!(message.contains("not a valid queue name"), "{message}");
    let message = cli.refused(&["topic", "create", "bad/name"]);
    assert!(message.contains("not a valid topic name"), "{message}");
}

#[test]
fn buckets_are_created_as_folders_and_listed_with_objects_and_triggers() {
    let cli = Cli::new();
    let created = cli.ok(&["bucket", "create", "photos"]);
    assert!(
        created.starts_with("created bucket photos at "),
        "{created}"
    );
    assert!(cli.workspace().join("buckets/photos").is_dir());
    std::fs::write(cli.workspace().join("buckets/photos/a.png"), "12345").unwrap();
    cli.ok(&[
        "trigger", "add", "worker", "--type", "bucket", "--bucket", "photos",
    ]);
    cli.ok(&[
        "trigger",
        "add",
        "items",
        "--type",
        "bucket",
        "--bucket",
        "thumbnails",
    ]);
    assert_eq!(
        cli.ok(&["bucket", "list"]),
        "BUCKET                            OBJECTS        BYTES  TRIGGERS\n\
         photos                                  1            5  worker\n\
         thumbnails                              0            0  items (no folder yet)\n"
    );
    let message = cli.refused(&["bucket", "create", "Photos_2"]);
    assert!(
        message.contains("`Photos_2` is not a valid bucket name"),
        "{message}"
    );
    assert_eq!(
        cli.refused(&["bucket", "create", "photos"]),
        "lambdesk: there is already a bucket named `photos`\n"
    );
}
