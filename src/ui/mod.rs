//! The desktop console's panels. They read the console's state and send it commands;
//! nothing here imports wasmtime.

mod app;
mod build_bar;
mod code_editing;
mod code_gutter;
mod code_tab;
mod config_tab;
mod cost_view;
mod create_function;
mod create_resource;
mod destination_form;
mod dialogs;
mod file_tree;
mod folder_prompt;
mod function_list;
mod function_overview;
mod highlight;
mod live_activity;
mod log_rows;
mod logs_view;
mod map_activity;
mod map_connect;
mod map_lines;
mod map_palette;
mod map_positions;
mod map_selection;
mod messaging_view;
mod monitor_charts;
mod status_bar;
mod test_tab;
mod toml_highlight;
mod trigger_editing;
mod trigger_form;
mod workspace_map;

pub use app::{LambdeskApp, Tab};
pub use dialogs::{Dialogs, NativeDialogs};
