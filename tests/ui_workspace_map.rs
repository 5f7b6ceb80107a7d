//! The console's workspace map, driven by label (egui_kittest, no display).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod console_harness;

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use lambdesk::sample_workspace::open_sample_workspace;
use lambdesk::ui::LambdeskApp;

/// The console on the sample workspace, after `prepare` changed its files.
fn harness(root: &Path, prepare: impl FnOnce(&Path)) -> Harness<'static, LambdeskApp> {
    let workspace = open_sample_workspace(root).unwrap();
    prepare(root);
    let app = console_harness::app(workspace, console_harness::runtime_options());
    console_harness::harness_with(small_window(), app)
}

/// 1000×700, the smallest size the console is made for.
fn small_window() -> egui_kittest::HarnessBuilder<LambdeskApp> {
    console_harness::builder().with_size(egui::vec2(1000.0, 700.0))
}

fn open_map(harness: &mut Harness<'_, LambdeskApp>) {
    harness.get_by_label("Map").click();
    harness.run();
    harness.get_by_label("Workspace map");
}

#[test]
fn the_map_shows_the_sample_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    for card in [
        "Function process-orders",
        "Function items-api",
        "Queue orders",
        "Queue orders-dlq",
        "Topic alerts",
        "HTTP route GET /items/{id}",
        "Bucket uploads",
    ] {
        harness.get_by_label(card);
    }
    // The sample has no loop.
    assert!(harness.query_by_label_contains("Recursive loop").is_none());
}

#[test]
fn a_function_writing_into_the_bucket_that_triggers_it_is_marked_as_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |root| {
        let config = root.join("functions/process-upload/function.toml");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str("\n[permissions]\nbuckets = { uploads = \"read-write\" }\n");
        std::fs::write(&config, text).unwrap();
    });
    open_map(&mut harness);
    harness.get_by_label(
        "Recursive loop: bucket uploads -> function process-upload -> bucket uploads. \
         Lambda stops such a loop after 16 invocations.",
    );
}

/// Where `card` stands relative to the card `anchor`, in card widths: the same at any zoom
/// and pan, so it can be compared across openings of the map (each fits it anew).
fn place(harness: &Harness<'_, LambdeskApp>, card: &str, anchor: &str) -> egui::Vec2 {
    let card = harness.get_by_label(card).rect();
    let anchor = harness.get_by_label(anchor).rect();
    (card.min - anchor.min) / anchor.width()
}

fn assert_near(actual: egui::Vec2, expected: egui::Vec2, what: &str) {
    assert!(
        (actual - expected).length() < 0.02,
        "{what}: {actual:?}, expected {expected:?}"
    );
}

/// Drags with the mouse from `from` to `to`, in a few moves as a hand would.
fn drag(harness: &mut Harness<'_, LambdeskApp>, from: egui::Pos2, to: egui::Pos2) {
    harness.hover_at(from);
    harness.step();
    harness.drag_at(from);
    harness.step();
    for step in 1..=4u8 {
        harness.hover_at(from + (to - from) * f32::from(step) / 4.0);
        harness.step();
    }
    harness.drop_at(to);
    harness.run();
}

#[test]
fn a_dragged_card_keeps_its_place_when_the_map_opens_again_until_reset_layout() {
    let dir = tempfile::tempdir().unwrap();
    let (card, anchor) = ("Queue orders-dlq", "Function process-orders");
    let mut console = harness(dir.path(), |_| {});
    open_map(&mut console);
    let automatic = place(&console, card, anchor);
    let from = console.get_by_label(card).rect().center();
    // Toward the window's middle, which lies in the map: the card stays in view.
    let to = from + (egui::pos2(500.0, 350.0) - from) * 0.4;
    assert!(
        (to - from).length() > 50.0,
        "a real move: {from:?} -> {to:?}"
    );
    drag(&mut console, from, to);
    let width = console.get_by_label(anchor).rect().width();
    let dragged = place(&console, card, anchor);
    assert_near(dragged, automatic + (to - from) / width, "after the drag");
    let saved = std::fs::read_to_string(dir.path().join(".lambdesk/map-layout.json")).unwrap();
    assert!(saved.contains("\"orders-dlq\""), "{saved}");
    drop(console);

    // A new console on the same workspace.
    let mut console = harness(dir.path(), |_| {});
    open_map(&mut console);
    assert_near(
        place(&console, card, anchor),
        dragged,
        "after opening again",
    );

    console.get_by_label("Reset layout").click();
    console.run();
    assert_near(
        place(&console, card, anchor),
        automatic,
        "after Reset layout",
    );
    drop(console);
    let mut console = harness(dir.path(), |_| {});
    open_map(&mut console);
    assert_near(
        place(&console, card, anchor),
        automatic,
        "reopened after the reset",
    );
}

#[test]
fn a_damaged_layout_file_is_set_aside_with_a_notice_and_the_map_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |root| {
        std::fs::create_dir_all(root.join(".lambdesk")).unwrap();
        std::fs::write(root.join(".lambdesk/map-layout.json"), "{ not json").unwrap();
    });
    open_map(&mut harness);
    harness.get_by_label("Queue orders-dlq");
    harness.get_by_label_contains("map-layout.json is damaged");
    assert!(
        dir.path()
            .join(".lambdesk/map-layout.json.damaged")
            .is_file()
    );
}

#[test]
fn a_line_from_a_queue_port_to_a_function_opens_its_trigger_form_filled_in_and_save_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    let from = harness.get_by_label("Connect Queue orders").rect().center();
    let to = harness.get_by_label("Function hello").rect().center();
    drag(&mut harness, from, to);

    // hello's Configuration tab, with "+ Add trigger" open on queue `orders`.
    assert_eq!(harness.state().selected(), Some("hello"));
    assert!(harness.query_by_label("Workspace map").is_none());
    assert_eq!(
        harness.get_by_label("Queue name").value().as_deref(),
        Some("orders")
    );
    let config = dir.path().join("functions/hello/function.toml");
    let before = std::fs::read_to_string(&config).unwrap();
    assert!(!before.contains("orders"), "nothing is written before Save");
    harness.get_by_label("Save trigger").click();
    harness.run();
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("[[triggers]]"), "{text}");
    assert!(text.contains("queue = \"orders\""), "{text}");

    // The drag drew a line and did not move the queue card: no card was placed by hand.
    assert!(!dir.path().join(".lambdesk/map-layout.json").exists());

    // Undo on the map restores the file as it was before the trigger was saved.
    open_map(&mut harness);
    harness.get_by_label("Undo").click();
    harness.run();
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    harness.get_by_label("Redo").click();
    harness.run();
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
}

#[test]
fn a_line_dropped_on_empty_space_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    let card_before = harness.get_by_label("Queue orders").rect();
    let from = harness.get_by_label("Connect Queue orders").rect().center();
    let config = dir.path().join("functions/hello/function.toml");
    let before = std::fs::read_to_string(&config).unwrap();
    // Below every card, in the map: the window's bottom edge is at 700.
    let to = egui::pos2(from.x + 40.0, 660.0);
    assert!(
        !harness.get_by_label("Queue orders").rect().contains(to),
        "empty space"
    );
    drag(&mut harness, from, to);
    harness.get_by_label("Workspace map");
    assert_eq!(harness.get_by_label("Queue orders").rect(), card_before);
    assert!(harness.query_by_label("Queue name").is_none());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    assert!(!dir.path().join(".lambdesk/map-layout.json").exists());
}

#[test]
fn a_line_from_a_function_port_to_a_queue_opens_its_destination_form_and_cancel_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    let from = harness
        .get_by_label("Connect Function hello")
        .rect()
        .center();
    let to = harness.get_by_label("Queue orders-dlq").rect().center();
    drag(&mut harness, from, to);

    assert_eq!(harness.state().selected(), Some("hello"));
    assert_eq!(
        harness.get_by_label("Target name").value().as_deref(),
        Some("orders-dlq")
    );
    let config = dir.path().join("functions/hello/function.toml");
    let before = std::fs::read_to_string(&config).unwrap();
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_label("Target name").is_none());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);

    // Again, and saved: on failure, the slot a first destination takes.
    open_map(&mut harness);
    let from = harness
        .get_by_label("Connect Function hello")
        .rect()
        .center();
    let to = harness.get_by_label("Queue orders-dlq").rect().center();
    drag(&mut harness, from, to);
    harness.get_by_label("Save destination").click();
    harness.run();
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("[destinations.on_failure]\nqueue = \"orders-dlq\""),
        "{text}"
    );
}

/// Sends `GET path` to the gateway at `url` and returns the raw reply.
fn gateway_get(url: &str, path: &str) -> String {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n");
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).unwrap();
    reply
}

/// Whether a node labelled `text` lies on the card labelled `card`.
fn shows_on_card(harness: &Harness<'_, LambdeskApp>, card: &str, text: &str) -> bool {
    let card = harness.get_by_label(card).rect();
    harness
        .get_all_by_label(text)
        .any(|node| card.contains_rect(node.rect()))
}

#[test]
fn running_triggers_count_on_the_map_and_a_function_card_opens_its_logs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    open_sample_workspace(&root).unwrap();
    // Any free port: tests run side by side.
    std::fs::write(
        root.join("lambdesk.toml"),
        "gateway_port = 0\nlambda_api_port = 0\n",
    )
    .unwrap();
    let workspace = lambdesk::model::Workspace::open(&root).unwrap();
    let mut console = console_harness::console(workspace, console_harness::runtime_options());
    console.start_triggers();
    let url = console
        .state()
        .gateway_url
        .clone()
        .expect("the gateway runs");
    let mut harness = console_harness::harness_with(small_window(), LambdeskApp::new(console));
    harness.run();
    for _ in 0..2 {
        let reply = gateway_get(&url, "/items/1");
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
    open_map(&mut harness);
    let route = "HTTP route GET /items/{id}";
    let function = "Function items-api";
    let mut counted = false;
    for _ in 0..500 {
        harness.step();
        if shows_on_card(&harness, route, "2/min") && shows_on_card(&harness, function, "2/min") {
            counted = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(
        counted,
        "2/min did not show on the route's and items-api's cards"
    );
    // Both succeeded: no error count.
    assert!(harness.query_by_label_contains("error").is_none());

    harness.get_by_label("Logs of items-api").click();
    harness.run();
    harness.get_by_label_contains("2 invocations, ");
    let function_filter =
        harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Function");
    assert_eq!(function_filter.value().as_deref(), Some("items-api"));

    // A source card's Logs link: the invocations the route caused, and not a Test of
    // the same function.
    harness.get_by_label("items-api").click();
    harness.run();
    harness.get_by_label("Test").click();
    harness.run();
    // The Test button, drawn after the Test tab of the same label.
    harness.get_all_by_label("Test").last().unwrap().click();
    for _ in 0..500 {
        harness.step();
        if harness.query_by_label("Succeeded").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.get_by_label("Succeeded");
    open_map(&mut harness);
    harness
        .get_by_label("Logs of route GET /items/{id}")
        .click();
    harness.run();
    harness.get_by_label("From route GET /items/{id}");
    let shown_invocations = |harness: &Harness<'_, LambdeskApp>| {
        harness
            .query_all_by_label_contains("items-api ")
            .filter(|node| node.accesskit_node().role() == egui::accesskit::Role::Label)
            .count()
    };
    let from_route = harness
        .query_all_by_label_contains("HTTP GET /items/{id}")
        .count();
    assert_eq!(from_route, 2);
    assert_eq!(
        shown_invocations(&harness),
        2,
        "the Test invocations are not shown"
    );
    // Cleared, every invocation of the function shows again.
    harness.get_by_label("All sources").click();
    harness.run();
    assert_eq!(shown_invocations(&harness), 3);
}

#[test]
fn a_selected_function_card_opens_the_function_or_its_logs_from_the_strip() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    harness.get_by_label("Function hello").click();
    harness.run();
    // A click selects: the map stays, the strip names the card.
    harness.get_by_label("Selected: Function hello");
    harness.get_by_label("Open").click();
    harness.run();
    assert_eq!(harness.state().selected(), Some("hello"));
    assert!(harness.query_by_label("Workspace map").is_none());

    open_map(&mut harness);
    harness.get_by_label("Function echo").click();
    harness.run();
    harness.get_by_label("Selected: Function echo");
    harness.get_by_label("Show logs").click();
    harness.run();
    let function_filter =
        harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Function");
    assert_eq!(function_filter.value().as_deref(), Some("echo"));
}

/// `lambdesk.toml` and `process-orders`' `function.toml` of the workspace at `root`.
fn orders_files(root: &Path) -> (String, String) {
    (
        std::fs::read_to_string(root.join("lambdesk.toml")).unwrap(),
        std::fs::read_to_string(root.join("functions/process-orders/function.toml")).unwrap(),
    )
}

#[test]
fn delete_on_a_queue_card_lists_what_goes_and_undo_and_redo_restore_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    let before = orders_files(dir.path());
    assert!(before.1.contains("queue = \"orders\""), "{}", before.1);

    harness.get_by_label("Queue orders").click();
    harness.run();
    harness.key_press(egui::Key::Delete);
    harness.run();
    // The confirmation lists everything that goes; nothing is written yet.
    harness.get_by_label("• trigger 1 of `process-orders` (queue orders)");
    harness.get_by_label("• queue `orders`");
    assert_eq!(orders_files(dir.path()), before);
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_label("• queue `orders`").is_none());
    assert_eq!(orders_files(dir.path()), before);

    harness.get_by_label("Delete...").click();
    harness.run();
    harness.get_by_label("Delete").click();
    harness.run();
    let (workspace_file, function_file) = orders_files(dir.path());
    assert!(
        !workspace_file.contains("[queues.orders]"),
        "{workspace_file}"
    );
    // The rest of the file is kept as written, comments too.
    assert!(
        workspace_file.contains("[queues.orders-dlq]"),
        "{workspace_file}"
    );
    assert!(
        workspace_file.contains("# on-alert subscribes with a topic trigger"),
        "{workspace_file}"
    );
    assert!(
        !function_file.contains("queue = \"orders\""),
        "{function_file}"
    );
    assert!(harness.query_by_label("Queue orders").is_none());

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run();
    assert_eq!(orders_files(dir.path()), before, "undo restores both files");
    harness.get_by_label("Queue orders");

    harness.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    harness.run();
    assert!(!orders_files(dir.path()).0.contains("[queues.orders]"));
    assert!(harness.query_by_label("Queue orders").is_none());
}

#[test]
fn a_clicked_trigger_line_is_deleted_after_confirmation_and_undo_restores_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    let (_, before) = orders_files(dir.path());
    // An S-curve between two ports passes through their midpoint.
    let start = harness.get_by_label("Connect Queue orders").rect().center();
    let end = harness
        .get_by_label("Connect into Function process-orders")
        .rect()
        .center();
    let middle = start + (end - start) / 2.0;
    harness.hover_at(middle);
    harness.step();
    harness.drag_at(middle);
    harness.step();
    harness.drop_at(middle);
    harness.run();
    harness.get_by_label("Selected: Trigger: queue orders -> function process-orders");
    harness.get_by_label("Delete...").click();
    harness.run();
    harness.get_by_label("• trigger 1 of `process-orders` (queue orders)");
    harness.get_by_label("Delete").click();
    harness.run();
    let (workspace_file, function_file) = orders_files(dir.path());
    assert!(!function_file.contains("[[triggers]]"), "{function_file}");
    assert!(
        workspace_file.contains("[queues.orders]"),
        "a line takes only itself"
    );

    harness.get_by_label("Undo").click();
    harness.run();
    assert_eq!(orders_files(dir.path()).1, before);
}

#[test]
fn the_palette_creates_a_queue_and_a_bucket_that_show_as_cards_and_undo_removes_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    let workspace_file = dir.path().join("lambdesk.toml");
    let before = std::fs::read_to_string(&workspace_file).unwrap();
    harness.get_by_label("+ Add resource").click();
    harness.run();
    harness.get_by_label("Search resources").click();
    harness.run();
    harness.get_by_label("Search resources").type_text("sqs");
    harness.run();
    // The search narrows the palette to the queue.
    assert!(harness.query_by_label("Bucket").is_none());
    harness.get_by_label("Queue").click();
    harness.run();
    harness.get_by_label("Queue name").click();
    harness.run();
    harness.get_by_label("Queue name").type_text("bad name");
    harness.run();
    harness.get_by_label_contains("is not a valid queue name");
    assert!(
        harness
            .get_by_label("Create queue")
            .accesskit_node()
            .is_disabled()
    );
    for _ in "bad name".chars() {
        harness.key_press(egui::Key::Backspace);
    }
    harness.get_by_label("Queue name").type_text("invoices");
    harness.run();
    harness.get_by_label("Create queue").click();
    harness.run();
    let text = std::fs::read_to_string(&workspace_file).unwrap();
    assert!(text.contains("[queues.invoices]"), "{text}");
    for line in before.lines() {
        assert!(text.contains(line), "`{line}` is kept: {text}");
    }
    harness.get_by_label("Queue invoices");

    harness.get_by_label("Search resources").click();
    harness.run();
    for _ in "sqs".chars() {
        harness.key_press(egui::Key::Backspace);
    }
    harness.get_by_label("Search resources").type_text("s3");
    harness.run();
    harness.get_by_label("Bucket").click();
    harness.run();
    harness.get_by_label("Bucket name").click();
    harness.run();
    harness.get_by_label("Bucket name").type_text("thumbnails");
    harness.run();
    harness.get_by_label("Create bucket").click();
    harness.run();
    assert!(dir.path().join("buckets/thumbnails").is_dir());
    harness.get_by_label("Bucket thumbnails");

    harness.get_by_label("Undo").click();
    harness.run();
    assert!(!dir.path().join("buckets/thumbnails").exists());
    assert!(harness.query_by_label("Bucket thumbnails").is_none());
    harness.get_by_label("Undo").click();
    harness.run();
    assert_eq!(std::fs::read_to_string(&workspace_file).unwrap(), before);
    assert!(harness.query_by_label("Queue invoices").is_none());
}

#[test]
fn a_line_from_a_function_s_left_port_to_a_queue_opens_its_trigger_form() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    let from = harness
        .get_by_label("Connect into Function hello")
        .rect()
        .center();
    let to = harness.get_by_label("Queue alert-audit").rect().center();
    drag(&mut harness, from, to);
    assert_eq!(harness.state().selected(), Some("hello"));
    assert_eq!(
        harness.get_by_label("Queue name").value().as_deref(),
        Some("alert-audit")
    );
}
