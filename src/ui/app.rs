use std::sync::{Arc, OnceLock};

use crate::console::{Command, Console, Waker};

use super::code_tab::CodeTab;
use super::config_tab::ConfigTab;
use super::cost_view::CostView;
use super::create_function::CreateFunctionDialog;
use super::dialogs::{Dialogs, NativeDialogs};
use super::logs_view::LogsView;
use super::map_connect::MapRequest;
use super::messaging_view::MessagingView;
use super::test_tab::TestTab;
use super::workspace_map::WorkspaceMap;
use super::{function_list, status_bar};

/// The tabs of a function, as in the Lambda console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Code,
    Test,
    Configuration,
}

const OPEN_WORKSPACE_SHORTCUT: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
const CREATE_FUNCTION_SHORTCUT: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::N);
const LOGS_SHORTCUT: egui::KeyboardShortcut = egui::KeyboardShortcut::new(
    egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT),
    egui::Key::L,
);
const MONITOR_SHORTCUT: egui::KeyboardShortcut = egui::KeyboardShortcut::new(
    egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT),
    egui::Key::M,
);
const QUEUES_SHORTCUT: egui::KeyboardShortcut = egui::KeyboardShortcut::new(
    egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT),
    egui::Key::Q,
);

/// What the central panel shows besides a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Logs,
    Monitor,
    QueuesAndTopics,
    /// The workspace map: every function and resource, and what connects them.
    Map,
}

/// The console window: panels draw from the console's state and queue commands, which
/// are applied after the frame.
pub struct LambdeskApp {
    console: Console,
    selected: Option<String>,
    tab: Tab,
    code: CodeTab,
    test: TestTab,
    config: ConfigTab,
    create: CreateFunctionDialog,
    /// The function whose deletion waits for confirmation.
    confirm_delete: Option<String>,
    /// The function being renamed, and the new name as typed.
    renaming: Option<(String, String)>,
    dialogs: Box<dyn Dialogs>,
    /// The window title was set for this workspace.
    titled_for: Option<std::path::PathBuf>,
    logs: LogsView,
    cost: CostView,
    messaging: MessagingView,
    map: WorkspaceMap,
    /// What the central panel shows instead of the selected function, if anything.
    view: Option<View>,
    /// The notification list is open.
    notifications_open: bool,
    /// A folder being typed because no folder dialog answered.
    folder_prompt: Option<super::folder_prompt::FolderPrompt>,
    /// File > Import SAM project…'s confirmation and report.
    sam_import: super::sam_import::SamImportWindows,
    commands: Vec<Command>,
}

impl LambdeskApp {
    pub fn new(console: Console) -> Self {
        // Open a JavaScript function first if there is one: the language most start with.
        let functions = &console.state().functions;
        let selected = functions
            .iter()
            .find(|entry| entry.runtime == Some(crate::model::Runtime::Js))
            .or_else(|| functions.first())
            .map(|entry| entry.name.clone());
        let logs = LogsView::new(&console);
        let mut app = Self {
            console,
            selected: None,
            tab: Tab::Code,
            code: CodeTab::default(),
            test: TestTab::default(),
            config: ConfigTab::default(),
            create: CreateFunctionDialog::default(),
            notifications_open: false,
            folder_prompt: None,
            sam_import: super::sam_import::SamImportWindows::default(),
            confirm_delete: None,
            renaming: None,
            dialogs: Box::new(NativeDialogs),
            titled_for: None,
            logs,
            cost: CostView::default(),
            messaging: MessagingView::default(),
            map: WorkspaceMap::default(),
            view: None,
            commands: Vec::new(),
        };
        if let Some(name) = selected {
            app.select(&name);
        }
        app.sam_import.report = app.console.take_unseen_import_report();
        app
    }

    /// The same app with other file dialogs (tests answer them).
    pub fn with_dialogs(mut self, dialogs: Box<dyn Dialogs>) -> Self {
        self.dialogs = dialogs;
        self
    }

    /// Replaces the console with one on the workspace at `root` (File > Open/New).
    fn open_workspace(&mut self, root: &std::path::Path) {
        match self.console.open_another(root) {
            Ok(console) => {
                let dialogs = std::mem::replace(&mut self.dialogs, Box::new(NativeDialogs));
                *self = Self::new(console).with_dialogs(dialogs);
            }
            Err(error) => self
                .console
                .apply(Command::ShowMessage(format!("{error:#}"))),
        }
    }

    /// Imports a SAM project into `root` and opens it with the import's report; a clash
    /// with what the workspace has asks first.
    fn import_sam_project(
        &mut self,
        template: std::path::PathBuf,
        root: std::path::PathBuf,
        replace: bool,
    ) {
        match Console::import_sam_project(&template, &root, replace) {
            Ok(report) => {
                // The new console shows the report the import left in the workspace.
                self.open_workspace(&root);
                if self.sam_import.report.is_none() {
                    self.sam_import.report = Some(report);
                }
            }
            Err(crate::sam::import::ImportError::Clashes(clashes)) => {
                self.sam_import.confirm = Some(super::sam_import::PendingReplace {
                    template,
                    root,
                    clashes,
                });
            }
            Err(error) => self.console.apply(Command::ShowMessage(format!(
                "Import SAM project: nothing was imported: {error}"
            ))),
        }
    }

    fn menu_ui(&mut self, ui: &mut egui::Ui) {
        let mut open_root = None;
        let mut import_into = None;
        let shortcut_text = |shortcut: &egui::KeyboardShortcut| ui.ctx().format_shortcut(shortcut);
        let (open_text, create_text, logs_text, monitor_text, queues_text) = (
            shortcut_text(&OPEN_WORKSPACE_SHORTCUT),
            shortcut_text(&CREATE_FUNCTION_SHORTCUT),
            shortcut_text(&LOGS_SHORTCUT),
            shortcut_text(&MONITOR_SHORTCUT),
            shortcut_text(&QUEUES_SHORTCUT),
        );
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui
                    .add(egui::Button::new("Open workspace...").shortcut_text(open_text))
                    .clicked()
                {
                    open_root = self.choose_folder("Open a lambdesk workspace");
                }
                if ui.button("New workspace...").clicked() {
                    open_root = self.choose_folder("Choose an empty folder for the new workspace");
                }
                ui.separator();
                if ui.button("Import SAM project...").clicked()
                    && let Some(template) = self.dialogs.pick_sam_template()
                {
                    let title =
                        "Choose the workspace folder to import into (new, empty, or a workspace)";
                    match self.dialogs.pick_folder(title) {
                        Some(root) => import_into = Some((template, root, false)),
                        None => {
                            self.sam_import.waiting_for_folder = Some(template);
                            self.folder_prompt =
                                Some(super::folder_prompt::FolderPrompt::new(title));
                        }
                    }
                }
                if ui.button("Import .wasm function...").clicked()
                    && let Some(path) = self.dialogs.pick_wasm_file()
                {
                    self.commands.push(Command::ImportWasm { path });
                }
                if ui.button("Export SAM application...").clicked()
                    && let Some(out_dir) = self
                        .dialogs
                        .pick_folder("Choose a folder for the AWS SAM application")
                {
                    self.commands
                        .push(Command::ExportSamApplication { out_dir });
                }
                if ui
                    .add(egui::Button::new("Create function...").shortcut_text(create_text))
                    .clicked()
                {
                    self.create.open = true;
                }
            });
            ui.menu_button("View", |ui| {
                if ui
                    .add(egui::Button::new("Logs").shortcut_text(logs_text))
                    .clicked()
                {
                    self.show_view(View::Logs);
                }
                if ui
                    .add(egui::Button::new("Monitor").shortcut_text(monitor_text))
                    .clicked()
                {
                    self.show_view(View::Monitor);
                }
                if ui
                    .add(egui::Button::new("Queues & Topics").shortcut_text(queues_text))
                    .clicked()
                {
                    self.show_view(View::QueuesAndTopics);
                }
                if ui.button("Map").clicked() {
                    self.show_view(View::Map);
                }
                ui.separator();
                ui.label("Theme");
                let mut theme = ui.ctx().options(|options| options.theme_preference);
                let before = theme;
                ui.radio_value(
                    &mut theme,
                    egui::ThemePreference::System,
                    "Follow the system",
                );
                ui.radio_value(&mut theme, egui::ThemePreference::Light, "Light");
                ui.radio_value(&mut theme, egui::ThemePreference::Dark, "Dark");
                if theme != before {
                    ui.ctx().set_theme(theme);
                }
            });
        });
        if ui.input_mut(|input| input.consume_shortcut(&OPEN_WORKSPACE_SHORTCUT)) {
            open_root = self.choose_folder("Open a lambdesk workspace");
        }
        if let Some(prompt) = self.folder_prompt.as_mut() {
            let mut keep = true;
            if let Some(root) = prompt.ui(ui.ctx(), &mut keep) {
                match self.sam_import.waiting_for_folder.take() {
                    Some(template) => import_into = Some((template, root, false)),
                    None => open_root = Some(root),
                }
            }
            if !keep {
                self.folder_prompt = None;
                self.sam_import.waiting_for_folder = None;
            }
        }
        if let Some(confirmed) = self.sam_import.ui(ui.ctx()) {
            import_into = Some((confirmed.template, confirmed.root, true));
        }
        if ui.input_mut(|input| input.consume_shortcut(&CREATE_FUNCTION_SHORTCUT)) {
            self.create.open = true;
        }
        if ui.input_mut(|input| input.consume_shortcut(&LOGS_SHORTCUT)) {
            self.show_view(View::Logs);
        }
        if ui.input_mut(|input| input.consume_shortcut(&MONITOR_SHORTCUT)) {
            self.show_view(View::Monitor);
        }
        if ui.input_mut(|input| input.consume_shortcut(&QUEUES_SHORTCUT)) {
            self.show_view(View::QueuesAndTopics);
        }
        if let Some(root) = open_root {
            self.open_workspace(&root);
        }
        if let Some((template, root, replace)) = import_into {
            self.import_sam_project(template, root, replace);
        }
    }

    /// A folder from the system's dialog; where none answers, the folder prompt opens
    /// (a cancelled dialog looks the same, and typing a path is a fine way to cancel).
    fn choose_folder(&mut self, title: &str) -> Option<std::path::PathBuf> {
        let chosen = self.dialogs.pick_folder(title);
        if chosen.is_none() {
            self.folder_prompt = Some(super::folder_prompt::FolderPrompt::new(title));
        }
        chosen
    }

    /// A waker for the console that repaints the window once it exists.
    pub fn waker(context: Arc<OnceLock<egui::Context>>) -> Waker {
        Arc::new(move || {
            if let Some(context) = context.get() {
                context.request_repaint();
            }
        })
    }

    pub fn console(&self) -> &Console {
        &self.console
    }

    pub fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    fn show_view(&mut self, view: View) {
        self.view = Some(view);
        if view == View::QueuesAndTopics {
            self.console.refresh_messaging();
        }
    }

    /// The button of a view beside "Create function": shows it, or the function again.
    fn view_toggle_ui(&mut self, ui: &mut egui::Ui, view: View, label: &str, hover: String) {
        let showing = self.view == Some(view);
        if ui
            .selectable_label(showing, label)
            .on_hover_text(hover)
            .clicked()
        {
            if showing {
                self.view = None;
            } else {
                self.show_view(view);
            }
        }
    }

    /// Shows `name`'s Code tab (as clicking it in the list does).
    pub fn show_function(&mut self, name: &str) {
        self.view = None;
        self.tab = Tab::Code;
        self.select(name);
    }

    /// Shows `name`'s Configuration tab, where a connection drawn on the map opens a form.
    fn show_configuration(&mut self, name: &str) {
        self.view = None;
        self.tab = Tab::Configuration;
        self.select(name);
    }

    fn select(&mut self, name: &str) {
        self.selected = Some(name.to_owned());
        let entry = self.console.state().function(name).cloned();
        self.code.open_function(&self.console, entry.as_ref());
        self.test.open_function(&self.console, name);
        self.config.open_function(&self.console, name);
    }

    /// Takes in background results; runs before every frame.
    pub fn logic(&mut self) {
        self.console.poll();
        self.logs.poll();
        if self.view == Some(View::QueuesAndTopics) {
            self.console.refresh_messaging();
        }
        if let Some(created) = self.console.take_created() {
            self.select(&created);
            self.tab = Tab::Code;
        }
    }

    /// Draws the window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let root = self.console.root();
        if self.titled_for.as_ref() != Some(&root) {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(format!(
                    "lambdesk - {}",
                    root.display()
                )));
            self.titled_for = Some(root);
        }
        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        let state = self.console.state().clone();
        let mut clicked_function = None;
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            status_bar::ui(ui, &state, &mut self.commands, &mut self.notifications_open);
        });
        egui::Panel::left("functions")
            .resizable(true)
            .default_size(220.0)
            .show(ui, |ui| {
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    let create_text = ui.ctx().format_shortcut(&CREATE_FUNCTION_SHORTCUT);
                    if ui
                        .button("Create function")
                        .on_hover_text(format!("Start from a blueprint ({create_text})"))
                        .clicked()
                    {
                        self.create.open = true;
                    }
                });
                ui.horizontal_wrapped(|ui| {
                    let logs_text = ui.ctx().format_shortcut(&LOGS_SHORTCUT);
                    let hover = format!("Every invocation's log ({logs_text})");
                    self.view_toggle_ui(ui, View::Logs, "Logs", hover);
                    let monitor_text = ui.ctx().format_shortcut(&MONITOR_SHORTCUT);
                    let hover = format!("Charts and cost ({monitor_text})");
                    self.view_toggle_ui(ui, View::Monitor, "Monitor", hover);
                    let queues_text = ui.ctx().format_shortcut(&QUEUES_SHORTCUT);
                    let hover = format!("Queues, dead-letter queues and topics ({queues_text})");
                    self.view_toggle_ui(ui, View::QueuesAndTopics, "Queues & Topics", hover);
                    let hover = "Every function and resource, and what connects them".to_owned();
                    self.view_toggle_ui(ui, View::Map, "Map", hover);
                });
                clicked_function = function_list::ui(ui, &state, self.selected.as_deref());
            });
        self.create.ui(
            ui.ctx(),
            self.console.workspace(),
            self.console.blueprints(),
            || self.console.missing_language_packs(),
            &mut self.commands,
        );
        super::sam_export_window::ui(ui.ctx(), state.sam_export.as_ref(), &mut self.commands);
        let mut open_from_map = None;
        egui::CentralPanel::default().show(ui, |ui| {
            if self.view == Some(View::Map) {
                open_from_map = self.map.ui(ui, &self.console, &state, &mut self.commands);
                return;
            }
            if self.view == Some(View::Monitor) {
                self.cost.ui(ui, &self.console);
                return;
            }
            if self.view == Some(View::QueuesAndTopics) {
                self.messaging
                    .ui(ui, self.console.messaging(), &mut self.commands);
                // Counts change while the view is open: look again in half a second.
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(500));
                return;
            }
            if self.view == Some(View::Logs) {
                let names: Vec<String> = state
                    .functions
                    .iter()
                    .map(|entry| entry.name.clone())
                    .collect();
                self.logs.ui(
                    ui,
                    &names,
                    &self.console,
                    self.dialogs.as_ref(),
                    &mut self.commands,
                );
                return;
            }
            let Some(name) = self.selected.clone() else {
                ui.centered_and_justified(|ui| {
                    ui.label(
                        "No functions yet: click \"Create function\" to start from a blueprint.",
                    );
                });
                return;
            };
            ui.horizontal(|ui| {
                ui.heading(&name);
                ui.separator();
                ui.selectable_value(&mut self.tab, Tab::Code, "Code");
                ui.selectable_value(&mut self.tab, Tab::Test, "Test");
                ui.selectable_value(&mut self.tab, Tab::Configuration, "Configuration");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Delete function").clicked() {
                        self.confirm_delete = Some(name.clone());
                    }
                    if ui.button("Rename").clicked() {
                        self.renaming = Some((name.clone(), name.clone()));
                    }
                });
            });
            ui.separator();
            match self.tab {
                Tab::Code => self
                    .code
                    .ui(ui, &name, &self.console, &state, &mut self.commands),
                Tab::Test => self
                    .test
                    .ui(ui, &name, &self.console, &state, &mut self.commands),
                Tab::Configuration => {
                    let gateway_url = state.gateway_url.as_deref();
                    let fires = self.console.schedule_fires(&name);
                    self.config
                        .ui(ui, &self.console, gateway_url, &fires, &mut self.commands);
                }
            }
        });
        if let Some(name) = clicked_function {
            self.view = None;
            self.select(&name);
        }
        match open_from_map {
            Some(MapRequest::Open(name)) => self.show_function(&name),
            Some(MapRequest::Logs(function)) => {
                self.logs.filter_to_function(&function);
                self.show_view(View::Logs);
            }
            Some(MapRequest::SourceLogs(source)) => {
                self.logs.filter_to_source(&source, &self.console);
                self.show_view(View::Logs);
            }
            Some(MapRequest::DeleteFunction(function)) => self.confirm_delete = Some(function),
            Some(MapRequest::CreateFunction) => self.create.open = true,
            Some(MapRequest::AddTrigger { function, trigger }) => {
                self.show_configuration(&function);
                self.config.open_add_trigger(&trigger);
            }
            Some(MapRequest::AddDestination {
                function,
                destination,
            }) => {
                self.show_configuration(&function);
                self.config.open_add_destination(&destination);
            }
            None => {}
        }
        if let Some(function) = self.config.take_logs_wanted() {
            self.logs.filter_to_function(&function);
            self.show_view(View::Logs);
        }
        status_bar::notifications_window_ui(
            ui.ctx(),
            &state,
            &mut self.commands,
            &mut self.notifications_open,
        );
        self.confirm_delete_ui(ui.ctx());
        self.rename_ui(ui.ctx());
        for command in self.commands.drain(..) {
            self.console.apply(command);
        }
        self.after_commands();
    }

    /// "Delete function hello?" with Delete and Cancel.
    fn confirm_delete_ui(&mut self, ctx: &egui::Context) {
        let Some(name) = self.confirm_delete.clone() else {
            return;
        };
        egui::Window::new("Delete function")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(format!(
                    "Delete the function {name}? Its folder functions/{name} and every file in it are removed."
                ));
                ui.horizontal(|ui| {
                    if ui.button("Delete").clicked() {
                        self.commands.push(Command::DeleteFunction { function: name.clone() });
                        self.confirm_delete = None;
                    }
                    if ui.button("Cancel").clicked() {
                        self.confirm_delete = None;
                    }
                });
            });
    }

    /// "Rename function": the new name, validated as typed.
    fn rename_ui(&mut self, ctx: &egui::Context) {
        let Some((from, to)) = self.renaming.as_mut() else {
            return;
        };
        let mut close = false;
        egui::Window::new("Rename function")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                let label = ui.label("New name");
                ui.add(egui::TextEdit::singleline(to).desired_width(240.0))
                    .labelled_by(label.id);
                let problem = crate::model::validate_function_name(to).err();
                if let Some(problem) = &problem {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                ui.horizontal(|ui| {
                    let ready = problem.is_none() && to != from;
                    if ui
                        .add_enabled(ready, egui::Button::new("Save name"))
                        .clicked()
                    {
                        self.commands.push(Command::RenameFunction {
                            from: from.clone(),
                            to: to.clone(),
                        });
                        close = true;
                    }
                    if ui.button("Keep the name").clicked() {
                        close = true;
                    }
                });
            });
        if close {
            self.renaming = None;
        }
    }

    /// Brings the panels up to date with what the commands changed.
    fn after_commands(&mut self) {
        if let Some(selected) = self.selected.clone() {
            let entry = self.console.state().function(&selected).cloned();
            self.code.after_commands(&self.console, entry.as_ref());
            self.config.after_commands(&self.console);
            if self.console.state().function(&selected).is_none() {
                self.selected = None;
                if let Some(first) = self
                    .console
                    .state()
                    .functions
                    .first()
                    .map(|entry| entry.name.clone())
                {
                    self.select(&first);
                }
            } else if self.console.take_events_changed() {
                self.test.reload_events(&self.console, &selected);
            }
        }
    }
}

impl eframe::App for LambdeskApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        LambdeskApp::logic(self);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        LambdeskApp::ui(self, ui);
    }
}
