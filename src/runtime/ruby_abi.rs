//! Talking to ruby.wasm (Ruby's language pack): its exports speak the canonical ABI of
//! wit-bindgen's early releases (`ruby-init`, `rb-eval-string-protect`, `rstring-ptr`, …),
//! strings as pointer and length in its memory, results through a return area, Ruby values
//! as handles the host keeps. lambdesk evaluates its Ruby driver
//! (runtimes/ruby/lambdesk_runtime.rb) through `rb-eval-string-protect` and reads the
//! status it answers as a string.

use wasmtime::{AsContextMut, Caller, Instance, Linker, Memory, Module, TypedFunc};

use super::sandbox::SandboxState;

/// The host side of ruby.wasm's JavaScript interop (`require 'js'`), which has no
/// JavaScript to talk to here.
const JS_HOST_MODULE: &str = "rb-js-abi-host";
const RESOURCE_MODULE: &str = "canonical_abi";

/// Ruby values handed to the host: handle (index + 1) → the guest's representation.
#[derive(Debug, Default)]
pub struct RubyValues(pub(super) Vec<u32>);

/// Adds what ruby.wasm imports besides WASI to `linker`: the value table, and the
/// JavaScript interop as functions that fail with a clear message.
pub fn add_to_linker(linker: &mut Linker<SandboxState>, module: &Module) -> wasmtime::Result<()> {
    linker.func_wrap(
        RESOURCE_MODULE,
        "resource_new_rb-abi-value",
        |mut caller: Caller<'_, SandboxState>, representation: u32| -> u32 {
            let values = &mut caller.data_mut().ruby_values.0;
            values.push(representation);
            u32::try_from(values.len()).unwrap_or(u32::MAX)
        },
    )?;
    linker.func_wrap(
        RESOURCE_MODULE,
        "resource_get_rb-abi-value",
        |caller: Caller<'_, SandboxState>, handle: u32| -> wasmtime::Result<u32> {
            let index = usize::try_from(handle.saturating_sub(1))?;
            caller
                .data()
                .ruby_values
                .0
                .get(index)
                .copied()
                .ok_or_else(|| wasmtime::format_err!("unknown Ruby value handle {handle}"))
        },
    )?;
    for import in module.imports() {
        let is_js = import.module() == JS_HOST_MODULE
            || (import.module() == RESOURCE_MODULE
                && import.name() == "resource_drop_js-abi-value");
        if let (true, wasmtime::ExternType::Func(signature)) = (is_js, import.ty()) {
            let name = import
                .name()
                .split(':')
                .next()
                .unwrap_or_default()
                .to_owned();
            linker.func_new(
                import.module(),
                import.name(),
                signature,
                move |_caller, _params, _results| {
                    Err(wasmtime::format_err!(
                        "Ruby's `js` interop ({name}) is not available: lambdesk runs Ruby without a JavaScript host"
                    ))
                },
            )?;
        }
    }
    Ok(())
}

/// The exports lambdesk calls, found once per environment.
pub struct RubyExports {
    memory: Memory,
    realloc: TypedFunc<(u32, u32, u32, u32), u32>,
    init: TypedFunc<(u32, u32), ()>,
    init_loadpath: TypedFunc<(), ()>,
    eval: TypedFunc<(u32, u32), u32>,
    string_pointer: TypedFunc<u32, u32>,
    free_string: TypedFunc<u32, ()>,
    drop_value: TypedFunc<u32, ()>,
}

/// What evaluating Ruby code answered.
pub enum Evaluated {
    /// The value, as a string (the driver answers strings).
    Value(String),
    /// The code raised (Ruby's `state` was not 0).
    Raised,
}

impl RubyExports {
    pub fn find(
        instance: &Instance,
        mut store: impl AsContextMut<Data = SandboxState>,
    ) -> wasmtime::Result<Self> {
        let mut store = store.as_context_mut();
        // ruby.wasm names its exports with their WIT type (`ruby-init: func(...) -> ()`).
        let full_names: Vec<String> = instance
            .exports(&mut store)
            .map(|export| export.name().to_owned())
            .collect();
        let name_of = |short: &str| -> wasmtime::Result<String> {
            full_names
                .iter()
                .find(|name| name.split(':').next() == Some(short))
                .cloned()
                .ok_or_else(|| wasmtime::format_err!("ruby.wasm does not export `{short}`"))
        };
        Ok(Self {
            memory: instance
                .get_memory(&mut store, "memory")
                .ok_or_else(|| wasmtime::format_err!("ruby.wasm exports no memory"))?,
            realloc: instance.get_typed_func(&mut store, &name_of("cabi_realloc")?)?,
            init: instance.get_typed_func(&mut store, &name_of("ruby-init")?)?,
            init_loadpath: instance.get_typed_func(&mut store, &name_of("ruby-init-loadpath")?)?,
            eval: instance.get_typed_func(&mut store, &name_of("rb-eval-string-protect")?)?,
            string_pointer: instance.get_typed_func(&mut store, &name_of("rstring-ptr")?)?,
            free_string: instance.get_typed_func(&mut store, &name_of("cabi_post_rstring-ptr")?)?,
            drop_value: instance
                .get_typed_func(&mut store, &name_of("canonical_abi_drop_rb-abi-value")?)?,
        })
    }

    /// `ruby_init` with the interpreter's arguments, then the load path.
    pub async fn start(
        &self,
        mut store: impl AsContextMut<Data = SandboxState>,
        args: &[&str],
    ) -> wasmtime::Result<()> {
        let mut store = store.as_context_mut();
        let mut pairs = Vec::with_capacity(args.len() * 8);
        for arg in args {
            let (pointer, len) = self.lower_string(&mut store, arg).await?;
            pairs.extend_from_slice(&pointer.to_le_bytes());
            pairs.extend_from_slice(&len.to_le_bytes());
        }
        let list_len = u32::try_from(pairs.len())?;
        let list = self
            .realloc
            .call_async(&mut store, (0, 0, 4, list_len))
            .await?;
        self.memory
            .write(&mut store, usize::try_from(list)?, &pairs)?;
        let count = u32::try_from(args.len())?;
        self.init.call_async(&mut store, (list, count)).await?;
        self.init_loadpath.call_async(&mut store, ()).await
    }

    /// Evaluates `code` at the top level; its value's `to_s`-free string form when it is
    /// a String.
    pub async fn eval(
        &self,
        mut store: impl AsContextMut<Data = SandboxState>,
        code: &str,
    ) -> wasmtime::Result<Evaluated> {
        let mut store = store.as_context_mut();
        let (pointer, len) = self.lower_string(&mut store, code).await?;
        let result = self.eval.call_async(&mut store, (pointer, len)).await?;
        let [handle, state] = self.read_u32s(&mut store, result)?;
        let representation = resolve(&store, handle)?;
        if state != 0 {
            self.drop_value
                .call_async(&mut store, representation)
                .await?;
            store.data_mut().ruby_values.0.clear();
            return Ok(Evaluated::Raised);
        }
        let area = self.string_pointer.call_async(&mut store, handle).await?;
        let [text_pointer, text_len] = self.read_u32s(&mut store, area)?;
        let mut bytes = vec![0; usize::try_from(text_len)?];
        self.memory
            .read(&store, usize::try_from(text_pointer)?, &mut bytes)?;
        self.free_string.call_async(&mut store, area).await?;
        self.drop_value
            .call_async(&mut store, representation)
            .await?;
        // Handles are not reused by the guest: forget them all after each evaluation.
        store.data_mut().ruby_values.0.clear();
        Ok(Evaluated::Value(
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    }

    async fn lower_string(
        &self,
        store: &mut wasmtime::StoreContextMut<'_, SandboxState>,
        text: &str,
    ) -> wasmtime::Result<(u32, u32)> {
        let len = u32::try_from(text.len())?;
        // ruby.wasm hands these to C functions that read up to a NUL (`rb_eval_string`,
        // the interpreter's argv): the length alone is not enough.
        let pointer = self
            .realloc
            .call_async(&mut *store, (0, 0, 1, len.saturating_add(1)))
            .await?;
        let start = usize::try_from(pointer)?;
        self.memory.write(&mut *store, start, text.as_bytes())?;
        self.memory.write(&mut *store, start + text.len(), &[0])?;
        Ok((pointer, len))
    }

    fn read_u32s(
        &self,
        store: &mut wasmtime::StoreContextMut<'_, SandboxState>,
        area: u32,
    ) -> wasmtime::Result<[u32; 2]> {
        let mut bytes = [0u8; 8];
        self.memory
            .read(&*store, usize::try_from(area)?, &mut bytes)?;
        let [a0, a1, a2, a3, b0, b1, b2, b3] = bytes;
        Ok([
            u32::from_le_bytes([a0, a1, a2, a3]),
            u32::from_le_bytes([b0, b1, b2, b3]),
        ])
    }
}

/// The guest's representation behind a handle it gave the host.
fn resolve(
    store: &wasmtime::StoreContextMut<'_, SandboxState>,
    handle: u32,
) -> wasmtime::Result<u32> {
    let index = usize::try_from(handle.saturating_sub(1))?;
    store
        .data()
        .ruby_values
        .0
        .get(index)
        .copied()
        .ok_or_else(|| wasmtime::format_err!("unknown Ruby value handle {handle}"))
}
