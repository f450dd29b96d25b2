//! The browser edge: reading dropped or chosen files in a pool of workers (or in the page),
//! the built-in examples, the files' bytes kept for this session, downloads through Blob URLs,
//! and browser storage. No drawing and no decision: the steps draw (`app` and its step
//! modules) and the reducer (`state`) decides.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, BlobPropertyBag, File, FileList, HtmlAnchorElement, Url};
use yew::prelude::*;

use crate::error::Lang;
use crate::fingerprint::content_hash;
use crate::inspect::inspect_with_preview;

use super::i18n::{self, tr, T};
use super::state::{Action, AppState};
use super::{PREVIEW_COLS, PREVIEW_ROWS};

/// Where the project is autosaved.
pub(crate) const STORE_PROJECT: &str = "yibiao.project";
/// Where the language chosen is kept.
pub(crate) const STORE_LANG: &str = "yibiao.lang";
/// Where the batch being read is recorded (`state::BatchRecord`), until it is read.
pub(crate) const STORE_BATCH: &str = "yibiao.batch";
/// Larger projects are not autosaved (browser storage holds about 5 MB).
pub(crate) const MAX_SAVED_BYTES: usize = 4_000_000;

/// What the steps and the edge send actions through.
pub(crate) type Dispatch = UseReducerDispatcher<AppState>;

/// The browser's local storage, if it may be used.
pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Lets the browser paint (progress) before the next long step.
pub(crate) async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits until the browser has painted the next frame (an animation frame, then a task), so
/// work that need not hold up what staff see (saving the project) comes after it.
pub(crate) async fn after_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let next = wasm_bindgen::closure::Closure::once_into_js(move || {
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        resolve.unchecked_ref(),
                        0,
                    );
                }
            });
            let _ = w.request_animation_frame(next.unchecked_ref());
        }
    });
    let _ = JsFuture::from(promise).await;
}

thread_local! {
    /// The files added in this session, by name, so a form can be read again with a header
    /// block chosen by staff. Kept at the edge: the state holds no browser objects.
    static ADDED: std::cell::RefCell<std::collections::HashMap<String, File>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Lines shown in a [`folding_list`] before "… and N more".
const LINES_SHOWN: usize = 50;

/// `total` lines under a heading with their count, folded when there are more than ten; the
/// first [`LINES_SHOWN`] of `lines` are drawn, each with `testid`, then how many more there
/// are. Nothing when there are none.
pub(crate) fn folding_list(
    lang: Lang,
    heading: &str,
    lines: &[String],
    total: usize,
    testid: &'static str,
) -> Html {
    if total == 0 {
        return html! {};
    }
    let more = total.saturating_sub(lines.len().min(LINES_SHOWN));
    html! {
        <details class="problems" open={total <= 10}>
            <summary>{ format!("{heading}{}{total}", i18n::colon(lang)) }</summary>
            <ul>
                { for lines.iter().take(LINES_SHOWN).map(|l| html! { <li data-testid={testid}>{ l }</li> }) }
                if more > 0 {
                    <li class="more">{ i18n::more_lines(lang, more) }</li>
                }
            </ul>
        </details>
    }
}

/// Whether the bytes of a file are at hand: a built-in example, or a file added in this
/// session (after a reload the files are gone; only the project was kept).
pub(crate) fn file_at_hand(name: &str) -> bool {
    crate::examples::EXAMPLES.iter().any(|(n, _)| *n == name)
        || ADDED.with(|a| a.borrow().contains_key(name))
}

/// The bytes of a file at hand (see [`file_at_hand`]).
pub(crate) async fn file_bytes(name: &str) -> Option<Vec<u8>> {
    if let Some((_, b)) = crate::examples::EXAMPLES.iter().find(|(n, _)| *n == name) {
        return Some(b.to_vec());
    }
    let file = ADDED.with(|a| a.borrow().get(name).cloned())?;
    JsFuture::from(file.array_buffer())
        .await
        .ok()
        .map(|b| js_sys::Uint8Array::new(&b).to_vec())
}

/// Reads a file again with the header blocks staff chose (in the page: one file is quick).
pub(crate) fn reread(name: String, choices: Vec<crate::inspect::HeaderChoice>, dispatch: Dispatch) {
    spawn_local(async move {
        yield_now().await;
        match file_bytes(&name).await {
            Some(bytes) => {
                let (report, previews) = crate::inspect::inspect_with_choices(
                    &name,
                    &bytes,
                    &choices,
                    PREVIEW_ROWS,
                    PREVIEW_COLS,
                );
                dispatch.dispatch(Action::Read {
                    name,
                    hash: None,
                    report,
                    previews,
                });
            }
            None => dispatch.dispatch(reader_failed(name)),
        }
    });
}

/// The files of a file input or a drop.
pub(crate) fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The reading worker's script. It loads the app's own wasm module (the same one the page runs,
/// passed as a compiled `WebAssembly.Module`) through the page's own glue script, says it is
/// ready and warms up on the built-in examples (see `worker_warm_up`), then reads the files it
/// is given, in order, each file's bytes fetched as soon as it is handed over, one answer per
/// file: `{id, json}`, `{id, unreadable}` when
/// the browser cannot give the file's bytes, or `{id, error}` when the reader failed (a trap).
/// After an error the page drops this worker and starts a fresh one for the files it still had.
/// Given `{prefill, set, names, files, en}` instead (files as `File`s or bytes) it fills the set
/// (see `worker_prefill`) and answers `{xlsx, summary}`, `{zh, en}` or `{error}`.
const WORKER_JS: &str = r#"
let app;
const queue = [];
let running = false;
async function run() {
  running = true;
  while (queue.length) {
    const m = queue.shift();
    let bytes;
    try {
      bytes = new Uint8Array(await m.bytes);
    } catch (err) {
      postMessage({ id: m.id, unreadable: true });
      continue;
    }
    try {
      postMessage({ id: m.id, json: app.worker_inspect(m.file.name, bytes, m.trap === true) });
    } catch (err) {
      postMessage({ id: m.id, error: String(err) });
      return;
    }
  }
  running = false;
}
onmessage = async (e) => {
  const m = e.data;
  if (m.glue) {
    try {
      app = await import(m.glue);
      await app.default({ module_or_path: m.module });
      postMessage({ ready: true });
    } catch (err) {
      postMessage({ error: String(err) });
      return;
    }
    // While the clerk picks files: the reader runs over the built-in examples, so the
    // browser has compiled its hot code with its optimising tier before the first batch.
    try {
      app.worker_warm_up();
    } catch (err) {}
    return;
  }
  if (m.prefill) {
    try {
      const files = await Promise.all(m.files.map((f) => f instanceof Blob ? f.arrayBuffer().then((b) => new Uint8Array(b)) : f));
      const r = app.worker_prefill(m.set, m.names, files, m.en === true);
      postMessage(r, r.xlsx ? [r.xlsx.buffer] : []);
    } catch (err) {
      postMessage({ error: String(err) });
    }
    return;
  }
  // Its bytes are fetched at once, while the files before it are read.
  m.bytes = m.file.arrayBuffer();
  m.bytes.catch(() => {});
  queue.push(m);
  if (!running) run();
};
"#;

/// Test hook (see ARCHITECTURE.md): when the page's URL has `?testhooks=1`, a file with exactly
/// this name makes the reading worker trap, so the browser tests can check that one trapping
/// file costs only that file. Without the URL parameter the name means nothing.
pub const TRAP_TEST_FILE: &str = "__yibiao_trap_test__.xlsx";

/// Reading workers at most, however many cores the PC reports.
const MAX_WORKERS: usize = 4;
/// Files handed to a worker ahead of its answers, so it never waits for the page (which is
/// busy taking in answers and redrawing the list; with 2 the workers sat idle a fifth of the
/// time).
const WORKER_DEPTH: usize = 8;
/// Answers are shown in batches at most this often (one re-render for many files).
const SHOW_EVERY_MS: i32 = 100;

/// The URL of the page's glue script (Trunk preloads it), if the page was served with one;
/// the single offline file has none and reads in the page instead.
fn glue_url() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let link = doc.query_selector("link[rel=modulepreload]").ok()??;
    let href = link.get_attribute("href")?;
    let base = doc.base_uri().ok()??;
    Url::new_with_base(&href, &base).ok().map(|u| u.href())
}

/// Whether the page was opened with `?testhooks=1` (browser tests only).
fn test_hooks() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("testhooks"))
        .is_some_and(|v| v == "1")
}

/// How many workers read a batch: one per core the browser reports, within 1..=MAX_WORKERS,
/// and never more than there are files.
fn pool_size(files: usize) -> usize {
    let cores = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"hardwareConcurrency".into()))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(1.0);
    (cores as usize).clamp(1, MAX_WORKERS).min(files.max(1))
}

/// Waits `ms` milliseconds (a timer task: the page paints meanwhile).
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

type Handler = wasm_bindgen::closure::Closure<dyn FnMut(JsValue)>;

/// A worker and its messages: every message (or error event) is queued as it arrives, and
/// [`Reader::recv`] takes them in order.
struct Reader {
    worker: web_sys::Worker,
    inbox: Rc<std::cell::RefCell<std::collections::VecDeque<Result<JsValue, JsValue>>>>,
    wake: Rc<std::cell::RefCell<Option<js_sys::Function>>>,
    _handlers: [Handler; 2],
}

impl Reader {
    /// A fresh reading worker, loaded and ready; `None` where workers cannot be used.
    async fn start(glue: &str) -> Option<Reader> {
        let parts = js_sys::Array::of1(&JsValue::from_str(WORKER_JS));
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = Url::create_object_url_with_blob(&blob).ok()?;
        let wopts = web_sys::WorkerOptions::new();
        wopts.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(&url, &wopts).ok();
        let _ = Url::revoke_object_url(&url);
        let worker = worker?;
        let inbox = Rc::new(std::cell::RefCell::new(std::collections::VecDeque::new()));
        let wake: Rc<std::cell::RefCell<Option<js_sys::Function>>> = Rc::default();
        let handler = |ok: bool| {
            let (inbox, wake) = (inbox.clone(), wake.clone());
            Handler::new(move |event: JsValue| {
                let item = if ok {
                    js_sys::Reflect::get(&event, &"data".into())
                } else {
                    Err(event)
                };
                inbox.borrow_mut().push_back(item);
                if let Some(f) = wake.borrow_mut().take() {
                    let _ = f.call0(&JsValue::NULL);
                }
            })
        };
        let (on_message, on_error) = (handler(true), handler(false));
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        let reader = Reader {
            worker,
            inbox,
            wake,
            _handlers: [on_message, on_error],
        };
        let init = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&init, &k.into(), v);
        let posted = set("glue", &JsValue::from_str(glue))
            .and_then(|_| set("module", &wasm_bindgen::module()))
            .and_then(|_| reader.worker.post_message(&init));
        let ready = posted.is_ok()
            && reader.recv().await.is_ok_and(|d| {
                js_sys::Reflect::get(&d, &"ready".into()).is_ok_and(|r| r.is_truthy())
            });
        if ready {
            Some(reader)
        } else {
            reader.worker.terminate();
            None
        }
    }

    /// The worker's next message, or the error event that ended it.
    async fn recv(&self) -> Result<JsValue, JsValue> {
        loop {
            if let Some(item) = self.inbox.borrow_mut().pop_front() {
                return item;
            }
            let wake = self.wake.clone();
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                *wake.borrow_mut() = Some(resolve);
            });
            let _ = JsFuture::from(promise).await;
        }
    }

    /// Hands the worker a file (the `File` itself: the worker reads its bytes).
    fn send(&self, id: u32, file: &File, trap: bool) -> Result<(), JsValue> {
        let msg = js_sys::Object::new();
        js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from(id))?;
        js_sys::Reflect::set(&msg, &"file".into(), file)?;
        if trap {
            js_sys::Reflect::set(&msg, &"trap".into(), &JsValue::TRUE)?;
        }
        self.worker.post_message(&msg)
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        self.worker.terminate();
    }
}

fn reader_failed(name: String) -> Action {
    Action::Failed {
        name,
        zh: tr(Lang::Zh, T::ReaderFailed).into(),
        en: tr(Lang::En, T::ReaderFailed).into(),
    }
}

fn unreadable(name: String) -> Action {
    Action::Failed {
        name,
        zh: tr(Lang::Zh, T::FileUnreadable).into(),
        en: tr(Lang::En, T::FileUnreadable).into(),
    }
}

/// One batch of files being read: the files not yet handed out, shared by the reading lanes,
/// and the answers not yet shown.
struct Batch {
    files: std::cell::RefCell<std::collections::VecDeque<File>>,
    /// Files not yet answered.
    open: std::cell::Cell<usize>,
    /// Answers waiting to be shown, in order.
    shown: std::cell::RefCell<Vec<Action>>,
    show_pending: std::cell::Cell<bool>,
    dispatch: Dispatch,
    glue: Option<String>,
    hooks: bool,
}

impl Batch {
    fn take(&self) -> Option<File> {
        self.files.borrow_mut().pop_front()
    }

    fn is_trap(&self, file: &File) -> bool {
        self.hooks && file.name() == TRAP_TEST_FILE
    }

    async fn reader(&self) -> Option<Reader> {
        take_reader(self.glue.as_deref()?).await
    }

    /// Shows an action: at once when it answers the batch's last file, otherwise with the
    /// others that arrive within [`SHOW_EVERY_MS`] (each dispatch re-renders the page).
    fn show(self: &Rc<Self>, action: Action) {
        let answer = matches!(action, Action::Read { .. } | Action::Failed { .. });
        self.shown.borrow_mut().push(action);
        if answer {
            self.open.set(self.open.get().saturating_sub(1));
        }
        if self.open.get() == 0 {
            self.flush();
        } else if !self.show_pending.replace(true) {
            let batch = self.clone();
            spawn_local(async move {
                sleep_ms(SHOW_EVERY_MS).await;
                batch.flush();
            });
        }
    }

    fn flush(&self) {
        self.show_pending.set(false);
        let actions = std::mem::take(&mut *self.shown.borrow_mut());
        for a in actions {
            self.dispatch.dispatch(a);
        }
    }

    /// A file read in the page (no worker could be started).
    async fn read_in_page(self: &Rc<Self>, file: File) {
        let name = file.name();
        self.dispatch.dispatch(Action::Reading(name.clone()));
        yield_now().await;
        let Ok(buffer) = JsFuture::from(file.array_buffer()).await else {
            self.show(unreadable(name));
            return;
        };
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        let (report, previews) = inspect_with_preview(&name, &bytes, PREVIEW_ROWS, PREVIEW_COLS);
        self.show(Action::Read {
            name,
            hash: Some(content_hash(&bytes)),
            report,
            previews,
        });
        // Reading in the page: let it paint before the next file.
        yield_now().await;
    }

    /// The worker's answer for one file, as an action.
    fn answer(name: String, data: &JsValue) -> Action {
        let get = |k: &str| js_sys::Reflect::get(data, &k.into()).ok();
        if get("unreadable").is_some_and(|v| v.is_truthy()) {
            return unreadable(name);
        }
        match get("json")
            .and_then(|j| j.as_string())
            .and_then(|j| super::parse_worker_result(&j))
        {
            Some((report, previews, hash)) => Action::Read {
                name,
                hash: Some(hash),
                report,
                previews,
            },
            None => reader_failed(name),
        }
    }
}

/// One reading lane: a worker that always has the next file in hand, so it never waits for the
/// page to take in an answer. If reading a file traps, that file fails, the worker is replaced
/// and given the files it still had; where no worker can be started, the lane reads in the page.
async fn lane(batch: Rc<Batch>) {
    let mut reader = batch.reader().await;
    // Files handed to the current worker and not yet answered, in order.
    let mut handed: std::collections::VecDeque<(u32, File)> = std::collections::VecDeque::new();
    let mut next_id = 0u32;
    loop {
        let Some(r) = &reader else {
            // No worker: read what this lane still holds, then the rest, in the page.
            match handed.pop_front().map(|(_, f)| f).or_else(|| batch.take()) {
                Some(f) => batch.read_in_page(f).await,
                None => break,
            }
            continue;
        };
        while handed.len() < WORKER_DEPTH {
            let Some(file) = batch.take() else {
                break;
            };
            next_id += 1;
            if r.send(next_id, &file, batch.is_trap(&file)).is_err() {
                batch.show(reader_failed(file.name()));
                continue;
            }
            batch.show(Action::Reading(file.name()));
            handed.push_back((next_id, file));
        }
        let Some((id, file)) = handed.pop_front() else {
            break;
        };
        let reply = r.recv().await;
        let trapped = match &reply {
            Ok(data) => js_sys::Reflect::get(data, &"error".into())
                .ok()
                .and_then(|e| e.as_string())
                .map(JsValue::from),
            Err(e) => Some(e.clone()),
        };
        let same = reply.as_ref().is_ok_and(|d| {
            js_sys::Reflect::get(d, &"id".into())
                .ok()
                .and_then(|v| v.as_f64())
                == Some(f64::from(id))
        });
        match trapped {
            None if same => {
                if let Ok(data) = &reply {
                    batch.show(Batch::answer(file.name(), data));
                }
            }
            _ => {
                // The reader trapped (or the worker died): this file fails, a fresh worker
                // reads the files this one still had, and the rest.
                let why = trapped.and_then(|e| e.as_string()).unwrap_or_default();
                web_sys::console::error_1(&JsValue::from_str(&format!(
                    "yibiao: reading {} stopped the reader ({why}); a fresh worker reads the rest",
                    file.name()
                )));
                batch.show(reader_failed(file.name()));
                drop(reader.take());
                reader = batch.reader().await;
                if let Some(r) = &reader {
                    for (id, f) in &handed {
                        if r.send(*id, f, batch.is_trap(f)).is_err() {
                            break;
                        }
                    }
                }
            }
        }
    }
    if let Some(r) = reader {
        release(r);
    }
}

thread_local! {
    /// Reading workers started and waiting for files (kept between batches).
    static IDLE: std::cell::RefCell<Vec<Reader>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Workers being started by [`prestart_readers`].
    static STARTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Lanes waiting for one of them.
    static STARTED: std::cell::RefCell<Vec<js_sys::Function>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Starts the pool of reading workers while the page waits for files, so the first batch does
/// not wait for them (called once the app is drawn). Does nothing where workers cannot be used.
pub fn prestart_readers() {
    let Some(glue) = glue_url() else {
        return;
    };
    for _ in 0..pool_size(usize::MAX) {
        STARTING.with(|s| s.set(s.get() + 1));
        let glue = glue.clone();
        spawn_local(async move {
            let reader = Reader::start(&glue).await;
            STARTING.with(|s| s.set(s.get().saturating_sub(1)));
            if let Some(r) = reader {
                IDLE.with(|i| i.borrow_mut().push(r));
            }
            for wake in STARTED.with(|w| std::mem::take(&mut *w.borrow_mut())) {
                let _ = wake.call0(&JsValue::NULL);
            }
        });
    }
}

/// A worker from the pool, or a fresh one; `None` where workers cannot be used.
async fn take_reader(glue: &str) -> Option<Reader> {
    loop {
        if let Some(r) = IDLE.with(|i| i.borrow_mut().pop()) {
            return Some(r);
        }
        if STARTING.with(|s| s.get()) == 0 {
            return Reader::start(glue).await;
        }
        // A reader started with the page is on its way: wait for it rather than start one
        // more.
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            STARTED.with(|w| w.borrow_mut().push(resolve));
        });
        let _ = JsFuture::from(promise).await;
    }
}

/// The outcome of a pre-fill: the workbook and what to tell staff, or why not (Chinese,
/// English).
pub(crate) type Prefilled = Result<(Vec<u8>, super::PrefillSummary), (String, String)>;

/// Fills `set` from the files it was made from that are at hand ([`file_at_hand`]): in a
/// worker, so the page stays responsive, or in the page where no worker can be used.
pub(crate) async fn prefill(set: &crate::plan::FormSet, lang: Lang) -> Prefilled {
    let mut names: Vec<&str> = Vec::new();
    for s in &set.sources {
        if !names.contains(&s.file.as_str()) && file_at_hand(&s.file) {
            names.push(&s.file);
        }
    }
    if let Some(glue) = glue_url() {
        if let Some(reader) = take_reader(&glue).await {
            if let Some(answer) = prefill_in(&reader, set, &names, lang).await {
                release(reader);
                return answer;
            }
            // The worker failed: it is dropped, and the page does the work.
        }
    }
    // In the page: one file read per task, so the page keeps drawing while they are read.
    let mut books = Vec::new();
    let mut unreadable = Vec::new();
    for name in names {
        yield_now().await;
        if let Some(bytes) = file_bytes(name).await {
            let (mut read, mut failed) = crate::split::fill::read_originals(&[(name, &bytes)]);
            books.append(&mut read);
            unreadable.append(&mut failed);
        }
    }
    yield_now().await;
    super::prefill_read(set, &books, &unreadable, lang)
}

/// [`prefill`] in a worker; `None` if the worker failed.
async fn prefill_in(
    reader: &Reader,
    set: &crate::plan::FormSet,
    names: &[&str],
    lang: Lang,
) -> Option<Prefilled> {
    let msg = js_sys::Object::new();
    let put = |k: &str, v: &JsValue| js_sys::Reflect::set(&msg, &k.into(), v).is_ok();
    let files = js_sys::Array::new();
    let list = js_sys::Array::new();
    for name in names {
        let file = match crate::examples::EXAMPLES.iter().find(|(n, _)| n == name) {
            Some((_, b)) => JsValue::from(js_sys::Uint8Array::from(*b)),
            None => JsValue::from(ADDED.with(|a| a.borrow().get(*name).cloned())?),
        };
        files.push(&file);
        list.push(&JsValue::from_str(name));
    }
    let set_json = serde_json::to_string(set).ok()?;
    let posted = put("prefill", &JsValue::TRUE)
        && put("set", &JsValue::from_str(&set_json))
        && put("names", &list)
        && put("files", &files)
        && put("en", &JsValue::from_bool(lang == Lang::En));
    if !posted || reader.worker.post_message(&msg).is_err() {
        return None;
    }
    let answer = reader.recv().await.ok()?;
    let get = |k: &str| {
        js_sys::Reflect::get(&answer, &k.into())
            .ok()
            .filter(|v| !v.is_undefined())
    };
    if let (Some(xlsx), Some(summary)) = (get("xlsx"), get("summary").and_then(|s| s.as_string())) {
        let summary: super::PrefillSummary = serde_json::from_str(&summary).ok()?;
        return Some(Ok((js_sys::Uint8Array::new(&xlsx).to_vec(), summary)));
    }
    match (
        get("zh").and_then(|v| v.as_string()),
        get("en").and_then(|v| v.as_string()),
    ) {
        (Some(zh), Some(en)) => Some(Err((zh, en))),
        _ => None,
    }
}

/// A lane's worker goes back to the pool for the next batch (up to the pool's size).
fn release(reader: Reader) {
    IDLE.with(|i| {
        let mut idle = i.borrow_mut();
        if idle.len() < MAX_WORKERS {
            idle.push(reader);
        }
    });
}

/// Reads the files in a small pool of workers (the page stays responsive, and a file that
/// crashes the reader costs only that file), or in the page where no worker can be started.
pub(crate) fn read_files(files: Vec<File>, dispatch: Dispatch) {
    if files.is_empty() {
        return;
    }
    let queued: Vec<(String, usize)> = files
        .iter()
        .map(|f| (f.name(), f.size() as usize))
        .collect();
    ADDED.with(|a| {
        let mut a = a.borrow_mut();
        for f in &files {
            a.insert(f.name(), f.clone());
        }
    });
    let glue = glue_url();
    // The offline file has no glue script: one lane, reading in the page.
    let lanes = if glue.is_some() {
        pool_size(files.len())
    } else {
        1
    };
    let batch = Rc::new(Batch {
        open: std::cell::Cell::new(files.len()),
        files: std::cell::RefCell::new(files.into()),
        shown: std::cell::RefCell::new(Vec::new()),
        show_pending: std::cell::Cell::new(false),
        dispatch: dispatch.clone(),
        glue,
        hooks: test_hooks(),
    });
    // The lanes are spawned before the list is queued: they start as soon as this handler
    // returns (after the queue is in the state), ahead of the re-render the queue causes, so
    // the workers already read while the page draws the list.
    for _ in 0..lanes {
        spawn_local(lane(batch.clone()));
    }
    dispatch.dispatch(Action::Queue(queued));
}

/// Reads the built-in example files in the page.
pub(crate) fn load_examples(dispatch: Dispatch) {
    dispatch.dispatch(Action::Queue(
        crate::examples::EXAMPLES
            .iter()
            .map(|(n, b)| (n.to_string(), b.len()))
            .collect(),
    ));
    spawn_local(async move {
        for (name, bytes) in crate::examples::EXAMPLES {
            dispatch.dispatch(Action::Reading(name.to_string()));
            yield_now().await;
            let (report, previews) = inspect_with_preview(name, bytes, PREVIEW_ROWS, PREVIEW_COLS);
            dispatch.dispatch(Action::Read {
                name: name.to_string(),
                hash: Some(content_hash(bytes)),
                report,
                previews,
            });
        }
    });
}

/// Offers `bytes` as a download named `name`.
pub(crate) fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    Url::revoke_object_url(&url)
}

/// The language from `?lang=`, else the one kept, else Chinese.
pub(crate) fn initial_lang() -> Lang {
    let from_url = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("lang"));
    let stored = storage().and_then(|s| s.get_item(STORE_LANG).ok().flatten());
    match from_url.or(stored).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}
