//! ES module resolution and loading from the function's folder (`/var/task`): relative
//! imports with Node's extension rules, JSON modules, and CommonJS files seen through a
//! facade module so `import x from "./cjs.js"` works as in Node.

use std::path::{Component, Path, PathBuf};

use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::{Ctx, Error, Function, Module, Object, Result};

/// Node's lookup order for a relative specifier without an extension.
const CANDIDATE_SUFFIXES: &[&str] = &[
    "",
    ".mjs",
    ".js",
    ".cjs",
    ".json",
    "/index.mjs",
    "/index.js",
    "/index.cjs",
];

/// Resolved names of built-in modules (not paths, so never files).
const BUILTIN_PREFIX: &str = "lambdesk:builtin:";

pub struct TaskResolver;

impl Resolver for TaskResolver {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> Result<String> {
        let lambdesk: Object<'js> = ctx.globals().get("__lambdesk")?;
        let is_builtin: Function<'js> = lambdesk.get("isBuiltin")?;
        if is_builtin.call::<_, bool>((name,))? {
            return Ok(format!("{BUILTIN_PREFIX}{name}"));
        }
        let relative = name.starts_with("./") || name.starts_with("../") || name.starts_with('/');
        if !relative {
            // Packages and Node's built-in modules are not available in the sandbox.
            return Err(Error::new_resolving(base, name));
        }
        let base_dir = Path::new(base).parent().unwrap_or(Path::new("/var/task"));
        let joined = normalize(&base_dir.join(name));
        CANDIDATE_SUFFIXES
            .iter()
            .map(|suffix| format!("{}{suffix}", joined.display()))
            .find(|candidate| Path::new(candidate).is_file())
            .ok_or_else(|| Error::new_resolving(base, name))
    }
}

pub struct TaskLoader;

impl Loader for TaskLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        path: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> Result<Module<'js, rquickjs::module::Declared>> {
        if let Some(name) = path.strip_prefix(BUILTIN_PREFIX) {
            return Module::declare(ctx.clone(), path, builtin_facade(ctx, name)?);
        }
        if path.ends_with(".json") {
            let text = std::fs::read_to_string(path)?;
            return Module::declare(ctx.clone(), path, format!("export default (\n{text}\n);"));
        }
        if !is_es_module(path) {
            return Module::declare(ctx.clone(), path, commonjs_facade(ctx, path)?);
        }
        let source = std::fs::read(path)?;
        Module::declare(ctx.clone(), path, source)
    }
}

/// An ES module that re-exports a built-in module (made by the bootstrap on first use):
/// as `default`, and each of its properties as a named export.
fn builtin_facade<'js>(ctx: &Ctx<'js>, name: &str) -> Result<String> {
    let lambdesk: Object<'js> = ctx.globals().get("__lambdesk")?;
    let export_names: Function<'js> = lambdesk.get("builtinExportNames")?;
    let names: Vec<String> = export_names.call((name,))?;
    let mut source = format!(
        "const exported = globalThis.__lambdesk.builtin({name:?});\nexport default exported;\n"
    );
    // `export { x as name }` takes any name, reserved words (`delete`) too.
    for (index, export) in names.iter().enumerate() {
        source.push_str(&format!(
            "const e{index} = exported[{export:?}];\nexport {{ e{index} as {export} }};\n"
        ));
    }
    Ok(source)
}

/// An ES module that re-exports a CommonJS file's `module.exports`: as `default`, and each
/// property that is a valid identifier as a named export (what Node's static analysis
/// usually finds).
fn commonjs_facade<'js>(ctx: &Ctx<'js>, path: &str) -> Result<String> {
    let lambdesk: Object<'js> = ctx.globals().get("__lambdesk")?;
    let export_names: Function<'js> = lambdesk.get("commonJsExportNames")?;
    let names: Vec<String> = export_names.call((path,))?;
    let quoted_path = format!("{path:?}");
    let mut source = format!(
        "const exported = globalThis.__lambdesk.requireAbsolute({quoted_path});\nexport default exported;\n"
    );
    for name in names.iter().filter(|name| name.as_str() != "default") {
        source.push_str(&format!("export const {name} = exported[{name:?}];\n"));
    }
    Ok(source)
}

/// Whether Node would load `path` as an ES module: `.mjs`; `.cjs` never; `.js` when the
/// nearest package.json says `"type": "module"`, or when the file uses `import`/`export`
/// statements (Node 22's syntax detection).
pub fn is_es_module(path: &str) -> bool {
    if path.ends_with(".mjs") {
        return true;
    }
    if !path.ends_with(".js") {
        return false;
    }
    if let Some(module_type) = package_type(Path::new(path)) {
        return module_type == "module";
    }
    std::fs::read_to_string(path).is_ok_and(|source| {
        source.lines().any(|line| {
            let line = line.trim_start();
            (line.starts_with("import ") && !line.starts_with("import ("))
                || line.starts_with("import{")
                || line.starts_with("export ")
                || line.starts_with("export{")
        })
    })
}

/// The `"type"` of the nearest package.json, if one says. As in Node, the search does not
/// leave a package installed in `node_modules`.
fn package_type(path: &Path) -> Option<String> {
    let mut dir = path.parent();
    while let Some(current) = dir {
        if current
            .file_name()
            .is_some_and(|name| name == "node_modules")
        {
            break;
        }
        if let Ok(text) = std::fs::read_to_string(current.join("package.json")) {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            return Some(if compact.contains("\"type\":\"module\"") {
                "module".to_owned()
            } else {
                "commonjs".to_owned()
            });
        }
        if current == Path::new("/var/task") {
            break;
        }
        dir = current.parent();
    }
    None
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normalized.pop();
            }
            Component::CurDir => {}
            other => normalized.push(other.as_os_str()),
        }
    }
    normalized
}
