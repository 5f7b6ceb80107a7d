use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::Context as _;
use lambdesk::console::Console;
use lambdesk::sample_workspace::default_workspace;
use lambdesk::ui::LambdeskApp;

/// Opens the desktop console on `workspace` (default: the last one, else the sample).
pub fn run(workspace: Option<&Path>) -> anyhow::Result<()> {
    let root = match workspace {
        Some(dir) => dir.to_owned(),
        None => default_workspace()?.root().to_owned(),
    };
    let context = Arc::new(OnceLock::new());
    let console = Console::open(&root, LambdeskApp::waker(Arc::clone(&context)))?;
    let title = format!("lambdesk - {}", root.display());
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(title)
            .with_inner_size([1200.0, 780.0])
            .with_min_inner_size([640.0, 400.0]),
        ..eframe::NativeOptions::default()
    };
    eframe::run_native(
        "lambdesk",
        options,
        Box::new(move |creation| {
            let _ = context.set(creation.egui_ctx.clone());
            Ok(Box::new(LambdeskApp::new(console)))
        }),
    )
    .map_err(|error| anyhow::anyhow!("{error}"))
    .context("the console window could not be opened (is there a display?)")
}
