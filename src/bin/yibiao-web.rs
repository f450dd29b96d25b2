//! The web app's entry point (built by Trunk for wasm32). The same module also serves the
//! reading worker: there, `main` does nothing and the worker calls [`worker_inspect`].
//! Natively it only says where to look.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

#[cfg(target_arch = "wasm32")]
fn main() {
    // In the worker there is no window: nothing to render.
    if web_sys::window().is_some() {
        yew::Renderer::<yibiao::ui::app::App>::new().render();
        // The reading workers start now, while the clerk picks files.
        yibiao::ui::app::prestart_readers();
    }
}

/// Reads one file in the worker: the report and sheet previews as JSON.
///
/// `test_trap` is the browser tests' hook (the page sets it only with `?testhooks=1`): for the
/// file named [`yibiao::ui::app::TRAP_TEST_FILE`] the module traps, as a reader bug would.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn worker_inspect(name: String, bytes: Vec<u8>, test_trap: bool) -> String {
    if test_trap && name == yibiao::ui::app::TRAP_TEST_FILE {
        core::arch::wasm32::unreachable();
    }
    yibiao::ui::worker_result(&name, &bytes)
}

/// Warms a fresh reading worker up: reads the built-in examples a few times, answers
/// discarded. WebAssembly starts in the browser's baseline tier and code that runs often is
/// recompiled by its optimising tier meanwhile, on the same few cores that read; done while the
/// clerk picks files, the first batch is read by optimised code (on the 200-form bench set,
/// about a fifth faster).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn worker_warm_up() {
    for _ in 0..2 {
        for (name, bytes) in yibiao::examples::EXAMPLES {
            core::hint::black_box(yibiao::ui::worker_result(name, bytes));
        }
    }
}

/// Fills the form set from the original files in the worker (see [`yibiao::ui::prefill`]):
/// `set` is the set as JSON, `names` and `files` the files' names and bytes (`Uint8Array`s).
/// Answers `{ xlsx, summary }` (the summary as JSON), or `{ zh, en }` saying why not.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn worker_prefill(
    set: String,
    names: js_sys::Array,
    files: js_sys::Array,
    en: bool,
) -> js_sys::Object {
    use wasm_bindgen::JsValue;
    use yibiao::Lang;
    let answer = js_sys::Object::new();
    let put = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&answer, &k.into(), v);
    };
    let bytes: Vec<(String, Vec<u8>)> = names
        .iter()
        .zip(files.iter())
        .map(|(n, b)| {
            (
                n.as_string().unwrap_or_default(),
                js_sys::Uint8Array::new(&b).to_vec(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = bytes
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let outcome = serde_json::from_str::<yibiao::plan::FormSet>(&set)
        .map_err(|e| {
            (
                format!("综合表数据有误：{e}"),
                format!("The form set's data is wrong: {e}"),
            )
        })
        .and_then(|set| yibiao::ui::prefill(&set, &refs, if en { Lang::En } else { Lang::Zh }));
    match outcome {
        Ok((xlsx, summary)) => {
            put("xlsx", &js_sys::Uint8Array::from(xlsx.as_slice()));
            put(
                "summary",
                &JsValue::from_str(&serde_json::to_string(&summary).unwrap_or_default()),
            );
        }
        Err((zh, english)) => {
            put("zh", &JsValue::from_str(&zh));
            put("en", &JsValue::from_str(&english));
        }
    }
    answer
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("yibiao-web is the browser app: build it with `trunk build` (see README.md).");
}
