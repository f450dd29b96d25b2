//! The Yew components and the browser edge: reading dropped or chosen files, the built-in
//! examples, downloads through Blob URLs, and autosave in local storage. Every decision is made
//! by the pure reducer in `state`; this file only draws the state and turns events into actions.
//! Cell text is always rendered as text, never as HTML, and never becomes a link.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, BlobPropertyBag, File, FileList, HtmlAnchorElement, HtmlInputElement, Url};
use yew::prelude::*;

use crate::error::Lang;
use crate::inspect::inspect_with_preview;
use crate::merge::{FormOverride, Project};
use crate::plan::{Decision, SetSheetKind};
use crate::reasons;

use super::i18n::{self, grain_label, tr, T};
use super::state::{Action, AppState, FileStatus, StatusFilter, Step};
use super::view::{
    cluster_rows, department_bars, departments, diff_departments, heat, split, targets, Target,
};
use super::{PREVIEW_COLS, PREVIEW_ROWS};

const STORE_PROJECT: &str = "yibiao.project";
const STORE_LANG: &str = "yibiao.lang";
/// Larger projects are not autosaved (browser storage holds about 5 MB).
const MAX_SAVED_BYTES: usize = 4_000_000;

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

type Dispatch = UseReducerDispatcher<AppState>;

fn storage() -> Option<web_sys::Storage> {
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
fn reread(name: String, choices: Vec<crate::inspect::HeaderChoice>, dispatch: Dispatch) {
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
                    report,
                    previews,
                });
            }
            None => dispatch.dispatch(reader_failed(name)),
        }
    });
}

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
            Some((report, previews)) => Action::Read {
                name,
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
fn read_files(files: Vec<File>, dispatch: Dispatch) {
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

fn load_examples(dispatch: Dispatch) {
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
                report,
                previews,
            });
        }
    });
}

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

fn initial_lang() -> Lang {
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

/// The app.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState {
        lang: initial_lang(),
        ..AppState::default()
    });
    // Restore the last project once.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            if let Some(text) = storage().and_then(|s| s.get_item(STORE_PROJECT).ok().flatten()) {
                if let Ok(p) = Project::from_json(&text) {
                    dispatch.dispatch(Action::Restore(Box::new(p)));
                }
            }
        });
    }
    // Autosave the project and the language.
    {
        let project = state.project.clone();
        use_effect_with(project, move |p| {
            if let (Some(p), Some(s)) = (p, storage()) {
                if let Ok(text) = serde_json::to_string(&**p) {
                    if text.len() <= MAX_SAVED_BYTES {
                        let _ = s.set_item(STORE_PROJECT, &text);
                    }
                }
            }
        });
        let lang = state.lang;
        use_effect_with(lang, move |l| {
            if let Some(s) = storage() {
                let _ = s.set_item(STORE_LANG, if *l == Lang::En { "en" } else { "zh" });
            }
        });
    }
    use_reread_chosen_headers(&state);
    let lang = state.lang;
    let d = state.dispatcher();
    let go = |step: Step| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Go(step)))
    };
    let toggle_lang = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Action::SetLang(if lang == Lang::Zh {
                Lang::En
            } else {
                Lang::Zh
            }))
        })
    };
    let steps = [
        (Step::Files, T::StepFiles, "step-files"),
        (Step::Forms, T::StepForms, "step-forms"),
        (Step::Review, T::StepReview, "step-review"),
        (Step::Set, T::StepSet, "step-set"),
        (Step::Export, T::StepExport, "step-export"),
        (Step::Split, T::StepSplit, "step-split"),
    ];
    html! {
        <div class="app" lang={if lang == Lang::Zh { "zh-CN" } else { "en" }}>
            <header class="top">
                <div class="brand">
                    <h1>{ tr(lang, T::AppTitle) }</h1>
                    <p class="tagline">{ tr(lang, T::Tagline) }</p>
                </div>
                <button class="lang" data-testid="toggle-lang" onclick={toggle_lang}>{ tr(lang, T::Language) }</button>
            </header>
            <nav class="steps">
                { for steps.iter().map(|(s, label, id)| html! {
                    <button class={classes!("step", (state.step == *s).then_some("current"))}
                        data-testid={*id} onclick={go(*s)}>{ tr(lang, *label) }</button>
                }) }
            </nav>
            <p class="privacy">{ tr(lang, T::Privacy) }</p>
            if let Some((zh, en)) = &state.message {
                <p class="message" role="alert">{ if lang == Lang::Zh { zh } else { en } }</p>
            }
            if let Some(r) = &state.restored {
                <p class="restored" data-testid="restored">{ i18n::restored(lang, r.forms, r.decisions) }</p>
            }
            <main>
                { match state.step {
                    Step::Files => files_step(&state, &d),
                    Step::Forms => forms_step(&state, &d),
                    Step::Review => review_step(&state, &d),
                    Step::Set => set_step(&state),
                    Step::Export => export_step(&state, &d),
                    Step::Split => html! { <super::split_step::SplitStep project={state.project.clone()} lang={lang} /> },
                } }
            </main>
        </div>
    }
}

/// Reads files again whose header blocks were chosen in a restored or opened project (or whose
/// files were added again), once each.
#[hook]
fn use_reread_chosen_headers(state: &UseReducerHandle<AppState>) {
    let pending = state.header_rereads();
    let d = state.dispatcher();
    use_effect_with(pending, move |pending| {
        for (file, choices) in pending {
            d.dispatch(Action::RereadHeaders(file.clone()));
            reread(file.clone(), choices.clone(), d.clone());
        }
    });
}

fn files_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let onchange = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            read_files(files_of(input.files()), d.clone());
            input.set_value("");
        })
    };
    let ondrop = {
        let d = d.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            read_files(
                files_of(e.data_transfer().and_then(|t| t.files())),
                d.clone(),
            );
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let examples = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| load_examples(d.clone()))
    };
    let clear = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Clear))
    };
    let done = state.files.len() - state.busy();
    html! {
        <section class="files">
            <div class="drop" {ondrop} {ondragover}>
                <p>{ tr(lang, T::DropHere) }</p>
                <label class="button primary">
                    { tr(lang, T::AddFiles) }
                    <input type="file" multiple=true data-testid="add-files" class="visually-hidden"
                        accept=".xlsx,.xlsm,.xlsb,.xls,.et,.ett,.ods,.csv,.tsv,.txt,.htm,.html,.xml" {onchange} />
                </label>
                <button class="button" data-testid="load-example" onclick={examples}>{ tr(lang, T::LoadExample) }</button>
                if !state.files.is_empty() {
                    <button class="button subtle" onclick={clear}>{ tr(lang, T::ClearAll) }</button>
                }
            </div>
            if state.files.is_empty() {
                <p class="empty">{ tr(lang, T::NoFiles) }</p>
            } else {
                <p class="progress" data-testid="progress">
                    <progress max={state.files.len().to_string()} value={done.to_string()}></progress>
                    { format!(" {done} / {}", state.files.len()) }
                </p>
                <ul class="file-list">
                    { for state.files.iter().map(|f| {
                        let (class, text) = match &f.status {
                            FileStatus::Waiting => ("waiting", tr(lang, T::Waiting).to_string()),
                            FileStatus::Reading => ("reading", tr(lang, T::Reading).to_string()),
                            FileStatus::Read { forms, fields } => ("ok", i18n::file_found(lang, *forms, *fields)),
                            FileStatus::Failed { zh, en } => ("failed", format!("✗ {}", if lang == Lang::Zh { zh } else { en })),
                        };
                        html! {
                            <li class={classes!("file", class)}>
                                <span class="name">{ &f.name }</span>
                                <span class="size">{ format!("{:.0} KB", f.size as f64 / 1024.0) }</span>
                                <span class="status" data-testid="file-status">{ text }</span>
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}

fn forms_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let Some(p) = &state.project else {
        return html! { <p class="empty">{ tr(lang, T::NothingYet) }</p> };
    };
    let grains = [
        "per_person",
        "per_household",
        "per_village",
        "per_plot",
        "unknown",
    ];
    html! {
        <section class="forms">
            <table class="grid">
                <thead><tr>
                    <th>{ tr(lang, T::Department) }</th><th>{ tr(lang, T::Form) }</th>
                    <th>{ tr(lang, T::Grain) }</th><th>{ tr(lang, T::Frequency) }</th>
                    <th>{ tr(lang, T::HeaderRows) }</th><th>{ tr(lang, T::Fields) }</th><th></th>
                </tr></thead>
                <tbody>
                { for p.set.sources.iter().enumerate().map(|(i, s)| {
                    let (file, sheet) = (s.file.clone(), s.sheet.clone());
                    let on_dept = {
                        let d = d.clone();
                        let (file, sheet) = (file.clone(), sheet.clone());
                        Callback::from(move |e: Event| {
                            let input: HtmlInputElement = e.target_unchecked_into();
                            d.dispatch(Action::Override(FormOverride { file: file.clone(), sheet: sheet.clone(), department: Some(input.value()), grain: None }));
                        })
                    };
                    let on_grain = {
                        let d = d.clone();
                        Callback::from(move |e: Event| {
                            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
                            d.dispatch(Action::Override(FormOverride { file: file.clone(), sheet: sheet.clone(), department: None, grain: Some(input.value()) }));
                        })
                    };
                    let open = state.preview == Some(i);
                    let on_preview = {
                        let d = d.clone();
                        Callback::from(move |_: MouseEvent| d.dispatch(Action::Preview(if open { None } else { Some(i) })))
                    };
                    let header = s.header_rows.iter().map(u32::to_string).collect::<Vec<_>>().join("–");
                    html! {
                        <>
                        <tr data-testid="form-row">
                            <td><input class="dept" value={s.department.clone()} onchange={on_dept} aria-label={tr(lang, T::Department)} /></td>
                            <td><div class="title">{ &s.title }</div><div class="file-name">{ &s.file }</div></td>
                            <td><select onchange={on_grain} aria-label={tr(lang, T::Grain)}>
                                { for grains.iter().map(|g| html! { <option value={*g} selected={s.grain == *g}>{ grain_label(lang, g) }</option> }) }
                            </select></td>
                            <td>{ i18n::frequency_label(lang, &s.frequency) }</td>
                            <td>{ header }</td>
                            <td>{ s.fields.iter().filter(|f| f.role == "data").count() }</td>
                            <td><button class="button subtle" onclick={on_preview}>{ tr(lang, T::Preview) }</button></td>
                        </tr>
                        if open {
                            <tr><td colspan="7">{ preview(state, i, d) }</td></tr>
                        }
                        </>
                    }
                }) }
                </tbody>
            </table>
        </section>
    }
}

fn preview(state: &AppState, source: usize, d: &Dispatch) -> Html {
    let (Some(p), Some(pv)) = (&state.project, state.preview_of(source)) else {
        // A restored project keeps no file: the sheet's rows come with the file.
        return html! { <p class="empty">{ tr(state.lang, T::PreviewNeedsFile) }</p> };
    };
    let s = &p.set.sources[source];
    let first_header = s.header_rows.first().copied().unwrap_or(1);
    let last_header = s.header_rows.last().copied().unwrap_or(first_header);
    let lang = state.lang;
    let apply = {
        let d = d.clone();
        let (file, sheet) = (s.file.clone(), s.sheet.clone());
        let choices = state.choices_for(&s.file);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(form) = e.target_dyn_into::<web_sys::HtmlFormElement>() else {
                return;
            };
            let value = |n: &str| -> Option<u32> {
                form.query_selector(&format!("input[name={n}]"))
                    .ok()
                    .flatten()
                    .and_then(|el| el.dyn_into::<HtmlInputElement>().ok())
                    .and_then(|i| i.value().trim().parse().ok())
            };
            let (Some(first), Some(last)) = (value("first"), value("last")) else {
                return;
            };
            let choice = crate::inspect::HeaderChoice {
                sheet: sheet.clone(),
                first: first.min(last).max(1),
                last: first.max(last).max(1),
            };
            let mut all: Vec<_> = choices
                .iter()
                .filter(|c| c.sheet != sheet)
                .cloned()
                .collect();
            all.push(choice.clone());
            d.dispatch(Action::ChooseHeader {
                file: file.clone(),
                choice,
            });
            reread(file.clone(), all, d.clone());
        })
    };
    html! {
        <div class="preview-wrap">
            <form class="header-choice" onsubmit={apply} data-testid="header-choice">
                { tr(lang, T::HeaderFrom) }
                <input name="first" type="number" min="1" value={first_header.to_string()} aria-label={tr(lang, T::HeaderFrom)} />
                { tr(lang, T::HeaderTo) }
                <input name="last" type="number" min="1" value={last_header.to_string()} aria-label={tr(lang, T::HeaderTo)} />
                <button class="button small" type="submit">{ tr(lang, T::Redetect) }</button>
            </form>

            <table class="preview">
                { for pv.cells.iter().enumerate().map(|(r, row)| {
                    let n = r as u32 + 1;
                    let class = if n < first_header { "above" } else if n <= last_header { "header" } else if n >= s.data_first_row { "data" } else { "units" };
                    html! {
                        <tr class={class}>
                            <th>{ n }</th>
                            { for row.iter().map(|c| html! { <td>{ c }</td> }) }
                        </tr>
                    }
                }) }
            </table>
        </div>
    }
}

fn review_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let Some(p) = &state.project else {
        return html! { <p class="empty">{ tr(lang, T::NothingYet) }</p> };
    };
    let rows = cluster_rows(state);
    let all = cluster_rows(&AppState {
        search: String::new(),
        department: None,
        status: StatusFilter::All,
        grain: None,
        ..state.clone()
    });
    let on_search = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            d.dispatch(Action::Search(input.value()));
        })
    };
    let on_dept = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            d.dispatch(Action::FilterDepartment((!v.is_empty()).then_some(v)));
        })
    };
    let statuses = [
        ("", StatusFilter::All, T::AllStatuses),
        ("review", StatusFilter::NeedsReview, T::NeedsReview),
        ("confirmed", StatusFilter::Confirmed, T::Accepted),
        ("dropped", StatusFilter::Dropped, T::Dropped),
    ];
    let on_status = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            let s = statuses
                .iter()
                .find(|(k, _, _)| *k == v)
                .map_or(StatusFilter::All, |(_, s, _)| *s);
            d.dispatch(Action::FilterStatus(s));
        })
    };
    let grains = ["person", "household", "village", "plot"];
    let on_grain = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            d.dispatch(Action::FilterGrain((!v.is_empty()).then_some(v)));
        })
    };
    let undo = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Undo))
    };
    // Every cluster as 移到…/合并到… offer it (name, departments, a member). Built once per
    // drawing and shared by every card's lists and callbacks (200 forms: thousands of members).
    let targets: Rc<Vec<Target>> = Rc::new(targets(lang, &all));
    html! {
        <section class="review">
            <div class="filters">
                <input type="search" placeholder={tr(lang, T::Search)} aria-label={tr(lang, T::Search)} value={state.search.clone()} oninput={on_search} />
                <select onchange={on_dept} aria-label={tr(lang, T::Department)}>
                    <option value="" selected={state.department.is_none()}>{ tr(lang, T::AllDepartments) }</option>
                    { for departments(p).into_iter().map(|x| html! { <option value={x.clone()} selected={state.department.as_deref() == Some(x.as_str())}>{ x }</option> }) }
                </select>
                <select onchange={on_grain} aria-label={tr(lang, T::Grain)} data-testid="filter-grain">
                    <option value="" selected={state.grain.is_none()}>{ tr(lang, T::AllGrains) }</option>
                    { for grains.iter().map(|g| html! { <option value={*g} selected={state.grain.as_deref() == Some(*g)}>{ grain_label(lang, g) }</option> }) }
                </select>
                <select onchange={on_status} aria-label={tr(lang, T::AllStatuses)} data-testid="filter-status">
                    { for statuses.iter().map(|(k, s, t)| html! { <option value={*k} selected={state.status == *s}>{ tr(lang, *t) }</option> }) }
                </select>
                <button class="button subtle" onclick={undo} disabled={state.decisions.is_empty()}>{ tr(lang, T::Undo) }</button>
                <span class="count">{ format!("{} / {}", rows.len(), all.len()) }</span>
            </div>
            { super::lexicon_panel::lexicon_panel(state, d) }
            <ol class="clusters">
                { for rows.iter().map(|r| cluster_card(lang, r, &targets, state, d)) }
            </ol>
            if !p.near_misses.is_empty() {
                <h3>{ tr(lang, T::NearMisses) }</h3>
                <ul class="near">
                    { for p.near_misses.iter().take(40).map(|n| html! {
                        <li>{ format!("{:.0}% · {}  ↔  {}{}{}", n.similarity * 100.0, n.a.header_path.join("/"), n.b.header_path.join("/"), i18n::colon(lang), reasons::in_lang(lang, &n.reason)) }</li>
                    }) }
                </ul>
            }
        </section>
    }
}

/// The options of a 移到…/合并到… list: every cluster but the card's own.
fn target_options(targets: &[Target], own: &str) -> Html {
    targets
        .iter()
        .filter(|t| t.id != own)
        .map(|t| html! { <option value={t.id.clone()}>{ &t.label }</option> })
        .collect()
}

fn cluster_card(
    lang: Lang,
    r: &super::view::ClusterRow,
    targets: &Rc<Vec<Target>>,
    state: &AppState,
    d: &Dispatch,
) -> Html {
    let Some(first) = r.members.first() else {
        return html! {};
    };
    let (moving, confirming) = (state.moving.as_ref(), state.confirm_split.as_ref());
    // A field 200 forms ask for has 200 members: the first few are drawn, the rest on demand
    // (drawing every member of a 200-form batch took the review over a second per decision).
    let shown_members = if state.expanded.contains(&r.id) {
        r.members.len()
    } else {
        super::view::MEMBERS_SHOWN
    };
    let hidden_members = r.members.len().saturating_sub(shown_members);
    let show_members = {
        let d = d.clone();
        let id = r.id.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::ShowMembers(id.clone())))
    };
    // Merge into another cluster: its list opens on demand (a batch has hundreds).
    let merging = state.merging.as_ref() == Some(&first.field);
    let start_merge = {
        let d = d.clone();
        let field = first.field.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::StartMerge(Some(field.clone()))))
    };
    let on_merge = {
        let d = d.clone();
        let field = first.field.clone();
        let targets = targets.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            if let Some(t) = targets.iter().find(|t| t.id == v) {
                d.dispatch(Action::Decide(Decision::Merge {
                    a: t.field.clone(),
                    b: field.clone(),
                }));
            }
        })
    };
    let decide = |decision: Decision| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Decide(decision.clone())))
    };
    let accept = decide(Decision::Accept {
        field: first.field.clone(),
    });
    let drop = decide(Decision::Drop {
        field: first.field.clone(),
    });
    let rename = {
        let d = d.clone();
        let field = first.field.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let name = input.value().trim().to_string();
            if !name.is_empty() {
                d.dispatch(Action::Decide(Decision::Rename {
                    field: field.clone(),
                    name,
                }));
            }
        })
    };
    let class = classes!(
        "cluster",
        r.needs_review.then_some("risky"),
        r.confirmed.then_some("confirmed"),
        r.dropped.then_some("dropped")
    );
    html! {
        // Keyed by id (unique, tests/engine/app_state.rs): a decision that reorders the list
        // moves cards instead of rewriting each (200 forms: 0.4 -> 0.26 s per decision).
        <li class={class} data-testid="cluster" key={r.id.clone()}>
            <div class="head">
                <span class="name">{ &r.name }{ r.unit.as_ref().map(|u| format!("（{u}）")).unwrap_or_default() }</span>
                <span class="conf" title={tr(lang, T::Confidence)}>
                    <meter min="0" max="1" low="0.6" high="0.8" optimum="1" value={r.confidence.to_string()}></meter>
                    <span class="pct">{ format!("{:.0}%", r.confidence * 100.0) }</span>
                </span>
                if r.dropped { <span class="tag">{ tr(lang, T::Dropped) }</span> }
                else if r.confirmed { <span class="tag ok">{ tr(lang, T::Accepted) }</span> }
                <span class="actions">
                    <button class="button small" data-testid="accept" onclick={accept}>{ tr(lang, T::Accept) }</button>
                    <button class="button small subtle" data-testid="drop" onclick={drop}>{ tr(lang, T::Drop) }</button>
                    <input class="rename" placeholder={tr(lang, T::Rename)} aria-label={tr(lang, T::Rename)} onchange={rename} />
                    if merging {
                        <select class="merge" data-testid="merge-into" onchange={on_merge} aria-label={tr(lang, T::MergeInto)}>
                            <option value="" selected=true>{ tr(lang, T::MergeInto) }</option>
                            { target_options(targets, &r.id) }
                        </select>
                    } else {
                        <button class="button small subtle" data-testid="merge" onclick={start_merge}>{ tr(lang, T::MergeInto) }</button>
                    }
                </span>
            </div>
            <ul class="members">
                { for r.members.iter().take(shown_members).map(|m| {
                    // A field that identifies rows is split only after the clerk has read what
                    // that costs.
                    let split_out = if r.identifies_rows {
                        let d = d.clone();
                        let field = m.field.clone();
                        Callback::from(move |_: MouseEvent| d.dispatch(Action::AskSplit(Some(field.clone()))))
                    } else {
                        decide(split(&m.field))
                    };
                    let asking = confirming == Some(&m.field);
                    let split_anyway = decide(split(&m.field));
                    let keep = {
                        let d = d.clone();
                        Callback::from(move |_: MouseEvent| d.dispatch(Action::AskSplit(None)))
                    };
                    let start_move = {
                        let d = d.clone();
                        let field = m.field.clone();
                        Callback::from(move |_: MouseEvent| d.dispatch(Action::StartMove(Some(field.clone()))))
                    };
                    let on_move = {
                        let d = d.clone();
                        let field = m.field.clone();
                        let targets = targets.clone();
                        Callback::from(move |e: Event| {
                            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
                            let v = input.value();
                            if let Some(t) = targets.iter().find(|t| t.id == v) {
                                d.dispatch(Action::Decide(Decision::Move { field: field.clone(), to: t.field.clone() }));
                            }
                        })
                    };
                    html! {
                        <li>
                            <span class="dept">{ &m.department }</span>
                            <span class="form">{ &m.form }</span>
                            <span class="hdr">{ format!("{} · {}", m.column, m.header) }</span>
                            if r.members.len() > 1 && !asking {
                                <button class="button small subtle" data-testid="split" onclick={split_out}>{ tr(lang, T::Split) }</button>
                            }
                            if moving == Some(&m.field) {
                                <select class="move" onchange={on_move} aria-label={tr(lang, T::MoveTo)}>
                                    <option value="" selected=true>{ tr(lang, T::MoveTo) }</option>
                                    { target_options(targets, &r.id) }
                                </select>
                            } else {
                                <button class="button small subtle move" onclick={start_move}>{ tr(lang, T::MoveTo) }</button>
                            }
                            if asking {
                                <span class="split-warning" data-testid="split-warning" role="alert">
                                    { tr(lang, T::SplitKeyWarning) }
                                    <button class="button small" data-testid="split-anyway" onclick={split_anyway}>{ tr(lang, T::SplitAnyway) }</button>
                                    <button class="button small subtle" data-testid="split-keep" onclick={keep}>{ tr(lang, T::KeepTogether) }</button>
                                </span>
                            }
                        </li>
                    }
                }) }
                if hidden_members > 0 {
                    <li class="more">
                        <button class="button small subtle" data-testid="show-members" onclick={show_members}>{ i18n::more_members(lang, hidden_members) }</button>
                    </li>
                }
            </ul>
            if !r.reasons.is_empty() {
                <p class="reasons">{ r.reasons.iter().map(|x| reasons::in_lang(lang, x)).collect::<Vec<_>>().join(if lang == Lang::Zh { "；" } else { "; " }) }</p>
            }
        </li>
    }
}

fn set_step(state: &AppState) -> Html {
    let lang = state.lang;
    let Some(p) = &state.project else {
        return html! { <p class="empty">{ tr(lang, T::NothingYet) }</p> };
    };
    let b = &p.set.burden;
    let row = |label: String, r: &crate::plan::BurdenRow| {
        html! {
            <tr><td>{ label }</td><td>{ r.forms_before }</td><td>{ r.fields_before }</td><td>{ r.sheets_after }</td><td>{ r.fields_after }</td></tr>
        }
    };
    html! {
        <section class="set">
            <h2>{ &p.set.title }</h2>
            <div class="figures">
                <div>
                    <h3>{ tr(lang, T::BurdenTitle) }</h3>
                    <table class="grid" data-testid="burden">
                        <thead><tr><th></th><th>{ tr(lang, T::OriginalForms) }</th><th>{ tr(lang, T::OriginalFields) }</th><th>{ tr(lang, T::SetSheets) }</th><th>{ tr(lang, T::SetColumns) }</th></tr></thead>
                        <tbody>
                            { for b.by_grain.iter().map(|r| row(grain_label(lang, &r.label).to_string(), r)) }
                            { row(tr(lang, T::Total).to_string(), &b.total) }
                        </tbody>
                    </table>
                </div>
                <div>
                    <h3>{ tr(lang, T::FieldsPerDepartment) }</h3>
                    { bar_chart(lang, &department_bars(p)) }
                </div>
                <div>
                    <h3>{ tr(lang, T::Overlap) }</h3>
                    { heatmap(lang, p) }
                </div>
            </div>
            <p class="legend">
                <span class="col key">{ tr(lang, T::LegendKey) }</span>
                <span class="col req">{ tr(lang, T::LegendRequired) }</span>
                <span class="col">{ tr(lang, T::LegendOther) }</span>
            </p>
            <ol class="sheets">
                { for p.set.sheets.iter().map(|s| html! {
                    <li class={if s.kind == SetSheetKind::Base { "base" } else { "topic" }} data-testid="set-sheet">
                        <div class="sheet-head">
                            <span class="kind" title={tr(lang, if s.kind == SetSheetKind::Base { T::BaseHint } else { T::TopicHint })}>{ tr(lang, if s.kind == SetSheetKind::Base { T::Base } else { T::Topic }) }</span>
                            <span class="name">{ &s.name }</span>
                            <span class="grain">{ grain_label(lang, &s.grain) }</span>
                            <span class="freq">{ i18n::frequency_label(lang, &s.frequency) }</span>
                            <span class="depts">{ i18n::list(lang, &s.departments) }</span>
                        </div>
                        <div class="cols">
                            { for s.columns.iter().map(|c| html! {
                                <span class={classes!("col", c.key.then_some("key"), c.required.then_some("req"))}>{ &c.header }</span>
                            }) }
                        </div>
                    </li>
                }) }
            </ol>
        </section>
    }
}

fn bar_chart(lang: Lang, bars: &[(String, u32, u32)]) -> Html {
    let max = bars.iter().map(|b| b.1.max(b.2)).max().unwrap_or(1).max(1) as f32;
    let row_h = 26.0;
    let height = bars.len() as f32 * row_h + 24.0;
    let label_w = 80.0;
    let width = 420.0;
    let scale = |v: u32| (width - label_w - 40.0) * v as f32 / max;
    html! {
        <svg class="chart" viewBox={format!("0 0 {width} {height}")} role="img" aria-label={tr(lang, T::FieldsPerDepartment)}>
            { for bars.iter().enumerate().map(|(i, (name, before, after))| {
                let y = i as f32 * row_h + 4.0;
                html! {
                    <g>
                        <text x="0" y={(y + 14.0).to_string()} class="label">{ name }</text>
                        <rect x={label_w.to_string()} y={y.to_string()} width={scale(*before).to_string()} height="9" class="before"></rect>
                        <rect x={label_w.to_string()} y={(y + 10.0).to_string()} width={scale(*after).to_string()} height="9" class="after"></rect>
                        <text x={(label_w + scale(*before) + 4.0).to_string()} y={(y + 9.0).to_string()} class="value">{ before }</text>
                        <text x={(label_w + scale(*after) + 4.0).to_string()} y={(y + 19.0).to_string()} class="value">{ after }</text>
                    </g>
                }
            }) }
            <g>
                <rect x={label_w.to_string()} y={(height - 14.0).to_string()} width="10" height="9" class="before"></rect>
                <text x={(label_w + 14.0).to_string()} y={(height - 6.0).to_string()} class="value">{ tr(lang, T::Before) }</text>
                <rect x={(label_w + 80.0).to_string()} y={(height - 14.0).to_string()} width="10" height="9" class="after"></rect>
                <text x={(label_w + 94.0).to_string()} y={(height - 6.0).to_string()} class="value">{ tr(lang, T::After) }</text>
            </g>
        </svg>
    }
}

fn heatmap(lang: Lang, p: &Project) -> Html {
    let m = &p.set.burden.overlap;
    let n = m.departments.len();
    let cell = 30.0;
    let label = 80.0;
    let size = label + n as f32 * cell;
    // The last column's slanted name reaches past the grid.
    let width = size + 40.0;
    let max = m
        .counts
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.iter()
                .enumerate()
                .filter(move |(j, _)| *j != i)
                .map(|(_, v)| *v)
        })
        .max()
        .unwrap_or(1);
    html! {
        <svg class="heatmap" viewBox={format!("0 0 {width} {size}")} role="img" aria-label={tr(lang, T::Overlap)}>
            { for m.departments.iter().enumerate().map(|(i, dname)| html! {
                <g>
                    <text x="0" y={(label + i as f32 * cell + 19.0).to_string()} class="label">{ dname }</text>
                    <text x={(label + i as f32 * cell + 4.0).to_string()} y={(label - 6.0).to_string()} class="label vertical"
                        transform={format!("rotate(-60 {} {})", label + i as f32 * cell + 10.0, label - 6.0)}>{ dname }</text>
                </g>
            }) }
            { for m.counts.iter().enumerate().flat_map(|(i, r)| r.iter().enumerate().map(move |(j, v)| (i, j, *v))).map(|(i, j, v)| html! {
                <g class={(i != j && v * 2 > max).then_some("dark")}>
                    <title>{ i18n::overlap_cell(lang, &m.departments[i], &m.departments[j], v) }</title>
                    <rect x={(label + j as f32 * cell).to_string()} y={(label + i as f32 * cell).to_string()} width={(cell - 2.0).to_string()} height={(cell - 2.0).to_string()}
                        fill={if i == j { "#e8e8e8".to_string() } else { heat(v, max) }}></rect>
                    <text x={(label + j as f32 * cell + 8.0).to_string()} y={(label + i as f32 * cell + 19.0).to_string()} class="value">{ v }</text>
                </g>
            }) }
        </svg>
    }
}

/// A chosen project file, read; or why not (Chinese, English).
async fn read_project(f: &File) -> Result<Project, (String, String)> {
    let text = JsFuture::from(f.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| {
            (
                tr(Lang::Zh, T::CannotReadProject).to_string(),
                tr(Lang::En, T::CannotReadProject).to_string(),
            )
        })?;
    Project::from_json(&text).map_err(|e| (e.message(Lang::Zh), e.message(Lang::En)))
}

fn export_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let open_project = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = files_of(input.files());
            input.set_value("");
            let d = d.clone();
            spawn_local(async move {
                for f in files {
                    match read_project(&f).await {
                        Ok(p) => d.dispatch(Action::OpenProject(Box::new(p))),
                        Err((zh, en)) => d.dispatch(Action::Message(zh, en)),
                    }
                }
            });
        })
    };
    let project = state.project.clone();
    let xlsx = {
        let project = project.clone();
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = &project {
                match crate::write::to_xlsx(&p.set, lang) {
                    Ok(bytes) => {
                        let _ = download(
                            &format!("{}.xlsx", p.set.title),
                            &bytes,
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        );
                    }
                    Err(e) => d.dispatch(Action::Message(e.message(Lang::Zh), e.message(Lang::En))),
                }
            }
        })
    };
    let mapping = {
        let project = project.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = &project {
                let _ = download(
                    &format!("{}.json", p.set.title),
                    p.to_json().as_bytes(),
                    "application/json",
                );
            }
        })
    };
    let not_applied: Vec<_> = project
        .as_ref()
        .map(|p| {
            p.decision_outcomes
                .iter()
                .filter(|o| !o.applied)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    html! {
        <section class="export">
            <div class="buttons">
                <button class="button primary" data-testid="export-xlsx" onclick={xlsx} disabled={project.is_none()}>{ tr(lang, T::ExportXlsx) }</button>
                <button class="button" data-testid="export-mapping" onclick={mapping} disabled={project.is_none()}>{ tr(lang, T::ExportMapping) }</button>
                <label class="button">
                    { tr(lang, T::OpenProject) }
                    <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="open-project" onchange={open_project} />
                </label>
            </div>
            <p class="hint">{ tr(lang, T::ExportHint) }</p>
            if project.is_none() {
                <p class="empty">{ tr(lang, T::NothingYet) }</p>
            }
            if let Some(p) = &project {
                <super::prefill::Prefill project={p.clone()} lang={lang} />
            }
            if !not_applied.is_empty() {
                <h3>{ tr(lang, T::NotApplied) }</h3>
                <ul>{ for not_applied.iter().map(|o| html! { <li>{ format!("{}{}{}", crate::diff::describe_decision(lang, &o.decision), i18n::colon(lang), reasons::in_lang(lang, &o.problem)) }</li> }) }</ul>
            }
            { last_year_panel(state, d) }
        </section>
    }
}

/// Last year's project next to this year's files: the button that opens it, then the change
/// list per department (collapsed, counts first) and what became of last year's decisions.
fn last_year_panel(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let open = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = files_of(input.files());
            input.set_value("");
            let d = d.clone();
            spawn_local(async move {
                let Some(f) = files.into_iter().next() else {
                    return;
                };
                match read_project(&f).await {
                    Ok(p) => d.dispatch(Action::OpenLastYear(Box::new(p))),
                    Err((zh, en)) => d.dispatch(Action::Message(zh, en)),
                }
            });
        })
    };
    let close = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::CloseLastYear))
    };
    let departments = diff_departments(state);
    html! {
        <div class="last-year">
            <h3>{ tr(lang, T::SinceLastYear) }</h3>
            <p class="hint">{ tr(lang, T::LastYearHint) }</p>
            <div class="buttons">
                <label class="button">
                    { tr(lang, T::OpenLastYear) }
                    <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="open-last-year" onchange={open} />
                </label>
                if state.last_year.is_some() {
                    <button class="button subtle" onclick={close}>{ tr(lang, T::CloseLastYear) }</button>
                }
            </div>
            if let Some(diff) = &state.year_diff {
                <p class="diff-summary">{ crate::diff::summary_line(lang, diff) }</p>
                <div class="diff">
                    { for departments.iter().map(|x| html! {
                        <details class={classes!("diff-dept", x.changed.then_some("changed"))} data-testid="diff-department">
                            <summary><span class="dept">{ &x.name }</span>{ " " }<span class="counts">{ &x.counts }</span></summary>
                            <ul>{ for x.lines.iter().map(|l| html! {
                                <li class={if l.starts_with(' ') { "detail" } else { "form" }}>{ l.trim_start() }</li>
                            }) }</ul>
                        </details>
                    }) }
                </div>
                if !diff.decisions.is_empty() {
                    <h4>{ tr(lang, T::LastYearDecisions) }</h4>
                    <p>{ crate::diff::decisions_line(lang, diff) }</p>
                    <ul class="diff-decisions">{ for diff.decisions.iter().map(|c| html! {
                        <li class={if c.fit.fits() { "fits" } else { "misfit" }}>{ crate::diff::decision_line(lang, c) }</li>
                    }) }</ul>
                }
            }
        </div>
    }
}
