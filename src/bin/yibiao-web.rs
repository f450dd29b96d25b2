//! The web app's entry point (built by Trunk for wasm32). Natively it only says where to look.

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<yibiao::ui::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("yibiao-web is the browser app: build it with `trunk build` (see README.md).");
}
