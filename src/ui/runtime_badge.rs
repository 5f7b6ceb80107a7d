//! A language's badge: a small coloured tile with its short name, as the AWS console shows
//! a runtime's logo beside a blueprint — drawn, so it needs no image files and reads in
//! light and dark themes alike.

use crate::model::Runtime;

/// The tile's text and colour, in the language's own colours where it has them.
fn badge(runtime: Runtime) -> (&'static str, egui::Color32) {
    match runtime {
        Runtime::Js => ("JS", egui::Color32::from_rgb(0xF0, 0xDB, 0x4F)),
        Runtime::Wat => ("WAT", egui::Color32::from_rgb(0x65, 0x4F, 0xF0)),
        Runtime::Wasm => ("WASM", egui::Color32::from_rgb(0x65, 0x4F, 0xF0)),
        Runtime::Rust => ("RS", egui::Color32::from_rgb(0xDE, 0xA5, 0x84)),
        Runtime::Go => ("GO", egui::Color32::from_rgb(0x00, 0xAD, 0xD8)),
        Runtime::Python => ("PY", egui::Color32::from_rgb(0x30, 0x69, 0x98)),
        Runtime::Ruby => ("RB", egui::Color32::from_rgb(0xCC, 0x34, 0x2D)),
        Runtime::Java => ("JAVA", egui::Color32::from_rgb(0xE7, 0x6F, 0x00)),
        // Lambda's OS-only runtime: a native process, in the console's warning amber.
        Runtime::Provided => ("OS", egui::Color32::from_rgb(0xE0, 0x8E, 0x0B)),
    }
}

/// Draws `runtime`'s badge at the cursor.
pub fn runtime_badge_ui(ui: &mut egui::Ui, runtime: Runtime) -> egui::Response {
    let (text, fill) = badge(runtime);
    let font = egui::FontId::monospace(10.0);
    // Dark text on the light tiles, light text on the dark one.
    let text_color = if fill.intensity() > 0.55 {
        egui::Color32::BLACK
    } else {
        egui::Color32::WHITE
    };
    let galley = ui
        .painter()
        .layout_no_wrap(text.to_owned(), font, text_color);
    let size = galley.size() + egui::vec2(8.0, 4.0);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    ui.painter().rect_filled(rect, 3.0, fill);
    ui.painter()
        .galley(rect.center() - galley.size() / 2.0, galley, text_color);
    response.on_hover_text(format!("Runtime: {}", runtime.id()))
}

/// What the "native process" mark says on hover: where such a function runs.
pub const NATIVE_PROCESS_HOVER: &str = "Runs outside the WebAssembly sandbox: a process of this computer (a provided function's `bootstrap`, a Java function's JVM), with your user's access to files and network. Its memory is capped by the OS and a timeout kills it.";

/// The "native process" mark beside a function that runs outside the sandbox
/// (`runtime = "provided"`), with what that means on hover.
pub fn native_process_mark_ui(ui: &mut egui::Ui) -> egui::Response {
    ui.label(
        egui::RichText::new("native process")
            .small()
            .color(ui.visuals().warn_fg_color),
    )
    .on_hover_text(NATIVE_PROCESS_HOVER)
}
