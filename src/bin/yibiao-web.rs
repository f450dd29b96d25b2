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

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("yibiao-web is the browser app: build it with `trunk build` (see README.md).");
}
