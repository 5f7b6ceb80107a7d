//! `runtime = "ruby"`: Ruby handlers run on CRuby inside the sandbox (Ruby's language
//! pack, prepared once per machine) as on Lambda's Ruby runtime: handler styles, context,
//! logging, errors in aws_lambda_ric's JSON, warm environments.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke, response};
use lambdesk::model::{BucketAccess, FunctionError, InvocationRecord, Outcome, error_types};
use serde_json::json;

async fn run_ruby(files: &[(&str, &str)], handler: &str, event: &str) -> InvocationRecord {
    let test = TestWorkspace::new();
    let function = test.add_ruby("fn", handler, files, |_| {});
    let runtime = test.runtime();
    invoke(&test, &runtime, &function, event).await.unwrap()
}

async fn failure(files: &[(&str, &str)], handler: &str) -> (FunctionError, InvocationRecord) {
    let record = run_ruby(files, handler, "{}").await;
    (common::function_error(&record), record)
}

#[tokio::test]
async fn a_handler_gets_the_event_and_keeps_its_globals_while_warm() {
    let source = "$count = 0\n\ndef lambda_handler(event:, context:)\n  $count += 1\n  puts \"hello from #{event['name']}\"\n  { greeting: \"Hello, #{event['name']}\", count: $count }\nend\n";
    let test = TestWorkspace::new();
    let function = test.add_ruby(
        "hello",
        "lambda_function.lambda_handler",
        &[("lambda_function.rb", source)],
        |_| {},
    );
    let runtime = test.runtime();
    let first = invoke(&test, &runtime, &function, r#"{"name":"Ada"}"#)
        .await
        .unwrap();
    assert_eq!(
        response(&first),
        json!({"greeting": "Hello, Ada", "count": 1})
    );
    assert_eq!(first.log_lines, vec!["hello from Ada".to_owned()]);
    assert!(first.init_duration_ms.is_some());
    let second = invoke(&test, &runtime, &function, r#"{"name":"Bo"}"#)
        .await
        .unwrap();
    assert_eq!(
        response(&second),
        json!({"greeting": "Hello, Bo", "count": 2})
    );
    assert_eq!(second.init_duration_ms, None, "warm");
    assert_eq!(runtime.idle_environments("hello"), 1);
}

#[tokio::test]
async fn errors_are_named_as_aws_lambda_ric_names_them_and_logged() {
    let source = "def lambda_handler(event:, context:)\n  raise 'boom'\nend\n";
    let (error, record) = failure(
        &[("lambda_function.rb", source)],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(error.error_type, "Function<RuntimeError>");
    assert_eq!(error.error_message, "boom");
    let trace = error.stack_trace.clone().unwrap();
    assert!(
        trace[0]
            .as_str()
            .unwrap()
            .starts_with("/var/task/lambda_function.rb:2:in "),
        "{trace:?}"
    );
    assert_eq!(record.log_lines[0], "Error raised from handler method");
    assert_eq!(record.log_lines[1], "{");
    assert!(
        record
            .log_lines
            .contains(&"  \"errorType\": \"Function<RuntimeError>\",".to_owned()),
        "{:?}",
        record.log_lines
    );

    let (error, _) = failure(
        &[("lambda_function.rb", "require 'not_a_gem'\n")],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(error.error_type, "Init<LoadError>");
    assert!(
        error
            .error_message
            .contains("cannot load such file -- not_a_gem"),
        "{error:?}"
    );

    let (error, _) = failure(&[("other.rb", "x = 1\n")], "lambda_function.lambda_handler").await;
    assert_eq!(error.error_type, "Init<LoadError>");
    assert!(
        error
            .error_message
            .contains("cannot load such file -- lambda_function"),
        "{error:?}"
    );

    let (error, _) = failure(&[("lambda_function.rb", "x = 1\n")], "lambda_function").await;
    assert_eq!(error.error_type, "Init<ArgumentError>");
    assert!(
        error
            .error_message
            .starts_with("Invalid handler [\"lambda_function\"], must be of form FILENAME.METHOD"),
        "{error:?}"
    );

    let (error, _) = failure(
        &[(
            "lambda_function.rb",
            "def other(event:, context:)\n  1\nend\n",
        )],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(error.error_type, "Function<NoMethodError>");

    let (error, _) = failure(
        &[(
            "lambda_function.rb",
            "def lambda_handler(event:, context:)\n  if true\nend\n",
        )],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(error.error_type, "Init<SyntaxError>");
}

#[tokio::test]
async fn class_method_handlers_context_and_logger_lines_are_lambdas() {
    let source = r#"
require 'logger'

module Shop
  class Orders
    LOGGER = Logger.new($stdout)

    def self.handle(event:, context:)
      LOGGER.info("order #{event['id']}")
      {
        request_id: context.aws_request_id,
        function_name: context.function_name,
        function_version: context.function_version,
        memory_limit_in_mb: context.memory_limit_in_mb,
        log_group_name: context.log_group_name,
        log_stream_name: context.log_stream_name,
        arn: context.invoked_function_arn,
        remaining: context.get_remaining_time_in_millis,
        env_keys: ENV.keys.sort
      }
    end
  end
end
"#;
    let test = TestWorkspace::new();
    let function = test.add_ruby(
        "shop",
        "orders.Shop::Orders.handle",
        &[("orders.rb", source)],
        |config| {
            config.memory_mb = 256;
            config.timeout_secs = 5;
        },
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, r#"{"id": 7}"#)
        .await
        .unwrap();
    let answer = response(&record);
    assert_eq!(answer["request_id"], json!(record.request_id));
    assert_eq!(answer["function_name"], json!("shop"));
    assert_eq!(answer["function_version"], json!("$LATEST"));
    assert_eq!(answer["memory_limit_in_mb"], json!("256"));
    assert_eq!(answer["log_group_name"], json!("/aws/lambda/shop"));
    assert_eq!(answer["log_stream_name"], json!(record.log_stream));
    assert!(answer["arn"].as_str().unwrap().ends_with(":function:shop"));
    let remaining = answer["remaining"].as_i64().unwrap();
    assert!((4_000..=5_000).contains(&remaining), "{remaining}");
    let keys: Vec<&str> = answer["env_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key.as_str().unwrap())
        .collect();
    assert!(keys.contains(&"AWS_EXECUTION_ENV") && keys.contains(&"_HANDLER"));
    for host_only in ["HOME", "PATH", "USER"] {
        assert!(!keys.contains(&host_only), "{host_only} leaked: {keys:?}");
    }
    let line = regex::Regex::new(&format!(
        r"^I, \[\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{6}} #\d+\]  INFO {} -- : order 7$",
        record.request_id
    ))
    .unwrap();
    assert_eq!(record.log_lines.len(), 1, "{:?}", record.log_lines);
    assert!(
        line.is_match(&record.log_lines[0]),
        "{:?}",
        record.log_lines
    );
}

#[tokio::test]
async fn tmp_is_writable_and_a_timeout_and_the_memory_limit_end_the_invocation() {
    let test = TestWorkspace::new();
    let files = test.add_ruby(
        "files",
        "lambda_function.lambda_handler",
        &[(
            "lambda_function.rb",
            "def lambda_handler(event:, context:)\n  path = '/tmp/count.txt'\n  count = File.exist?(path) ? File.read(path).to_i : 0\n  File.write(path, (count + 1).to_s)\n  count + 1\nend\n",
        )],
        |_| {},
    );
    let spin = test.add_ruby(
        "spin",
        "lambda_function.lambda_handler",
        &[(
            "lambda_function.rb",
            "def lambda_handler(event:, context:)\n  loop {} if event['spin']\n  'ok'\nend\n",
        )],
        |config| config.timeout_secs = 1,
    );
    let hungry = test.add_ruby(
        "hungry",
        "lambda_function.lambda_handler",
        &[(
            "lambda_function.rb",
            "def lambda_handler(event:, context:)\n  ('x' * (event['mb'] * 1024 * 1024)).size\nend\n",
        )],
        |config| config.memory_mb = 128,
    );
    let runtime = test.runtime();
    assert_eq!(
        response(&invoke(&test, &runtime, &files, "{}").await.unwrap()),
        json!(1)
    );
    assert_eq!(
        response(&invoke(&test, &runtime, &files, "{}").await.unwrap()),
        json!(2),
        "/tmp is kept while warm"
    );

    let record = invoke(&test, &runtime, &spin, r#"{"spin": true}"#)
        .await
        .unwrap();
    let Outcome::Failure(error) = &record.outcome else {
        panic!("{:?}", record.outcome)
    };
    assert_eq!(error.error_type, error_types::TIMEOUT);
    assert_eq!(
        response(&invoke(&test, &runtime, &spin, "{}").await.unwrap()),
        json!("ok")
    );

    assert_eq!(
        response(
            &invoke(&test, &runtime, &hungry, r#"{"mb": 4}"#)
                .await
                .unwrap()
        ),
        json!(4 * 1024 * 1024)
    );
    let record = invoke(&test, &runtime, &hungry, r#"{"mb": 300}"#)
        .await
        .unwrap();
    let Outcome::Failure(error) = &record.outcome else {
        panic!("{:?}", record.outcome)
    };
    assert!(
        error.error_type == error_types::OUT_OF_MEMORY
            || error.error_type == "Function<NoMemoryError>",
        "{error:?}"
    );
}

/// Ruby's writes go through WASI preview 1 like every core module's, so `/tmp`'s size
/// limit holds for it: past `ephemeral_storage_mb` a write is `Errno::ENOSPC` (1 MB here
/// to keep the test quick; the runtime keeps whatever limit it is given).
#[tokio::test]
async fn a_ruby_write_past_the_tmp_limit_is_enospc() {
    let test = TestWorkspace::new();
    let source = r#"
def attempt
  yield
  'ok'
rescue SystemCallError => e
  e.class.name
end

def lambda_handler(event:, context:)
  chunk = 'a' * (600 * 1024)
  {
    first: attempt { File.write('/tmp/a', chunk) },
    second: attempt { File.write('/tmp/b', chunk) },
    after_removing: attempt { File.delete('/tmp/a'); File.write('/tmp/b', chunk) }
  }
end
"#;
    let mut function = test.add_ruby(
        "filler",
        "lambda_function.lambda_handler",
        &[("lambda_function.rb", source)],
        |_| {},
    );
    function.config.ephemeral_storage_mb = 1;
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        response(&record),
        json!({"first": "ok", "second": "Errno::ENOSPC", "after_removing": "ok"})
    );
}

/// What Lambda's Ruby runtime makes loadable: the standard library and its bundled gems
/// (`base64` left the default gems in Ruby 3.4), other files of the function, and gems
/// vendored with `bundle config set path vendor/bundle` (found through `GEM_PATH` on
/// Lambda).
#[tokio::test]
async fn bundled_gems_sibling_files_and_vendored_gems_load() {
    let files = [
        (
            "app.rb",
            "require 'base64'\nrequire 'set'\nrequire 'digest'\nrequire_relative 'lib/shout'\nrequire 'greeter'\n\ndef handler(event:, context:)\n  { encoded: Base64.strict_encode64('hi'), shout: Shout.call('hey'), greeting: Greeter.greet('Ada'), sha: Digest::SHA256.hexdigest('a')[0, 8] }\nend\n",
        ),
        (
            "lib/shout.rb",
            "module Shout\n  def self.call(text) = text.upcase + '!'\nend\n",
        ),
        (
            "vendor/bundle/ruby/3.4.0/gems/greeter-1.0.0/lib/greeter.rb",
            "module Greeter\n  def self.greet(name) = \"Hello, #{name}\"\nend\n",
        ),
        (
            "vendor/bundle/ruby/3.4.0/specifications/greeter-1.0.0.gemspec",
            "Gem::Specification.new do |s|\n  s.name = 'greeter'\n  s.version = '1.0.0'\n  s.summary = 'greets'\n  s.authors = ['lambdesk']\n  s.files = ['lib/greeter.rb']\n  s.require_paths = ['lib']\nend\n",
        ),
    ];
    let record = run_ruby(&files, "app.handler", "{}").await;
    assert_eq!(
        response(&record),
        json!({"encoded": "aGk=", "shout": "HEY!", "greeting": "Hello, Ada", "sha": "ca978112"})
    );
}

/// Buckets in `[permissions]` are folders at `/buckets/<name>`, as for every runtime, and
/// a bucket's own folder lists (Ruby resolves real paths through `/`).
#[tokio::test]
async fn buckets_are_folders_read_and_written_as_permitted() {
    let source = r#"
def lambda_handler(event:, context:)
  note = File.read('/buckets/inbox/note.txt')
  File.write('/buckets/outbox-files/copy.txt', note.upcase)
  refused = begin
    File.write('/buckets/inbox/forbidden.txt', 'x')
    nil
  rescue SystemCallError => e
    e.class.name
  end
  { note: note, listing: Dir.children('/buckets/inbox').sort, refused: refused }
end
"#;
    let test = TestWorkspace::new();
    let function = test.add_ruby(
        "mover",
        "lambda_function.lambda_handler",
        &[("lambda_function.rb", source)],
        |config| {
            config
                .permissions
                .buckets
                .insert("inbox".to_owned(), BucketAccess::Read);
            config
                .permissions
                .buckets
                .insert("outbox-files".to_owned(), BucketAccess::ReadWrite);
        },
    );
    let inbox = test.workspace.buckets_dir().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("note.txt"), "hello bucket").unwrap();
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let answer = response(&record);
    assert_eq!(answer["note"], json!("hello bucket"));
    assert_eq!(answer["listing"], json!(["note.txt"]));
    assert!(
        answer["refused"].as_str().unwrap().starts_with("Errno::"),
        "{answer}"
    );
    assert_eq!(
        std::fs::read_to_string(test.workspace.buckets_dir().join("outbox-files/copy.txt"))
            .unwrap(),
        "HELLO BUCKET"
    );
}
