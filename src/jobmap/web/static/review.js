// The review page. Every text from the data is put on the page with textContent (never as HTML),
// so a title such as "<script>..." shows as it is written.
"use strict";

const $ = (id) => document.getElementById(id);
let current = null;
let busy = false;
// The batches this page gave, oldest first: undo takes back the last of them by its id, never
// what another page (or another server on the same answers) gave since.
const myBatches = [];

async function call(method, url, body) {
  const options = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

// An answer (or answers) given: its batch is what a later undo names.
async function give(url, body) {
  const data = await call("POST", url, body);
  if (data.batch) myBatches.push(data.batch);
  return data;
}

function setText(id, text) {
  $(id).textContent = text == null ? "" : String(text);
}

// A status line: what went wrong (the error colour), or with `ok` what was done.
function say(id, text, ok) {
  setText(id, text);
  $(id).classList.toggle("ok", Boolean(ok));
}

function highlight(container, text, terms) {
  // builds text nodes and <mark> elements: the description is never parsed as HTML
  container.replaceChildren();
  const words = terms.filter((t) => t && t.length > 1).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!words.length) {
    container.textContent = text;
    return;
  }
  const pattern = new RegExp("\\b(" + words.join("|") + ")\\b", "gi");
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    container.append(document.createTextNode(text.slice(last, m.index)));
    const mark = document.createElement("mark");
    mark.textContent = m[0];
    container.append(mark);
    last = m.index + m[0].length;
  }
  container.append(document.createTextNode(text.slice(last)));
}

// The titles a question card lists; the rest are counted in one line.
const SHOWN_TITLES = 40;

function showQuestion(q) {
  current = q;
  setText("q-note", "");
  const card = $("card");
  card.dataset.subject = q ? q.subject : "";
  if (!q) {
    setText("q-kind", "");
    setText("q-label", "No question left: every group is settled or skipped.");
    setText("q-why", "");
    $("q-titles").replaceChildren();
    $("q-example").hidden = true;
    return;
  }
  $("q-kind").className = "kind" + (q.audit ? " audit" : "");
  setText("q-kind", q.audit ? "audit: a posting drawn at random" : q.kind === "phrase" ? "a phrase many titles share" : q.kind === "occupation" ? "an O*NET occupation the matches fall into" : "a title");
  setText("q-label", q.label + " (" + q.postings + (q.postings === 1 ? " posting" : " postings") + ")");
  setText("q-why", "Score " + q.score.toFixed(2) + ". " + q.why + ".");
  const list = $("q-titles");
  list.replaceChildren();
  // a phrase's or an occupation's titles can be unticked: they take the other answer
  const partial = !q.audit && (q.kind === "phrase" || q.kind === "occupation");
  $("q-untick").hidden = !partial;
  if (q.kind !== "title" || q.titles.length > 1) {
    q.titles.slice(0, SHOWN_TITLES).forEach(([title, n], i) => {
      const li = document.createElement("li");
      const member = (q.members || [])[i];
      if (partial && member) {
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.checked = true;
        box.dataset.member = member;
        label.append(box, " " + title + " (" + n + ")");
        li.append(label);
      } else {
        li.textContent = title + " (" + n + ")";
      }
      list.append(li);
    });
    const rest = q.titles.slice(SHOWN_TITLES);
    if (rest.length) {
      const li = document.createElement("li");
      li.className = "more";
      const postings = rest.reduce((sum, [, n]) => sum + n, 0);
      li.textContent = "and " + rest.length + " more titles (" + postings + " postings)";
      list.append(li);
    }
  }
  const ex = q.example || {};
  $("q-example").hidden = false;
  setText("ex-title", ex.title);
  setText("ex-company", ex.company ? "· " + ex.company : "");
  setText("ex-location", ex.location ? "· " + ex.location : "");
  const link = $("ex-url");
  if (ex.url && /^https?:\/\//.test(ex.url)) {
    link.href = ex.url;
    link.textContent = "open the posting";
  } else {
    link.removeAttribute("href");
    link.textContent = "";
  }
  setText("ex-why", ex.why ? "Why this score: " + ex.why : "");
  highlight($("ex-description"), ex.description || "", ex.evidence || []);
}

let lastGiven = null;
let lastProgress = null;
function showProgress(p) {
  if (!p) return;
  lastProgress = p;
  if (lastGiven !== null && p.given !== lastGiven && thresholdSet) thresholdChanged();
  lastGiven = p.given;
  setText(
    "progress",
    p.given + " answers · " + p.matches.toLocaleString() + " matches (at the start " +
      p.matches_at_start.toLocaleString() + ") · " + p.changed_since_last_fit +
      " postings changed by the last re-fit" + (p.refitting ? " · re-fitting…" : "")
  );
  setText("stop-hint", p.stop_hint);
  const changed = $("changed");
  changed.replaceChildren();
  for (const t of p.changed_titles || []) {
    const li = document.createElement("li");
    li.textContent = t;
    changed.append(li);
  }
  if (p.errors && p.errors.length) setText("status", "Re-fit failed: " + p.errors[0]);
  showGrown(p.grown || []);
}

// Terms the method grew into the rule ("RN" for "registered nurse"): kept or dropped with one
// answer about the phrase; their titles are not asked one by one.
function showGrown(terms) {
  $("grown-box").hidden = terms.length === 0;
  const list = $("grown");
  list.replaceChildren();
  for (const t of terms) {
    const li = document.createElement("li");
    li.append(
      "'" + t.term + "' (from '" + t.of + "'), " + t.postings.toLocaleString() + " postings "
    );
    if (t.answer === "yes" || t.answer === "no") {
      const state = document.createElement("b");
      state.className = "term-state";
      state.textContent = t.answer === "yes" ? "kept " : "dropped ";
      li.append(state);
    }
    for (const [label, value] of [["keep", "yes"], ["drop", "no"]]) {
      if (t.answer === value) continue; // kept: only "drop" is left, and the other way
      const b = document.createElement("button");
      b.className = "small";
      b.textContent = label;
      b.dataset.grown = t.subject;
      b.addEventListener("click", () => answerGrown(t.subject, value));
      li.append(b, " ");
    }
    list.append(li);
  }
}

function answerGrown(subject, value) {
  return act(
    () => give("/api/answer", { subject, answer: value }),
    () => (value === "yes" ? "Kept " : "Dropped ") + subject.split(":")[1] + "."
  );
}

let thresholdSet = false;
async function load() {
  try {
    const data = await call("GET", "/api/question");
    showQuestion(data.question);
    showProgress(data.progress);
    if (!thresholdSet && data.progress) {
      thresholdSet = true;
      const slider = $("threshold");
      const [low, high] = data.progress.score_range || [0, 1];
      slider.min = low;
      slider.max = high;
      slider.step = (high - low) / 200;
      slider.value = data.progress.threshold;
      thresholdChanged();
    }
  } catch (e) {
    setText("status", e.message);
  }
}

// Keys pressed while a request is in flight: each is replayed, in order, on the question the
// reply brings (a second "s" 10 ms after the first skips the next question, not nothing).
const queuedKeys = [];
const MAX_QUEUED_KEYS = 10;

function queueKey(key) {
  if (queuedKeys.length < MAX_QUEUED_KEYS) queuedKeys.push(key);
}

// One request that answers (or undoes) at a time; its reply brings the next question and the
// progress. `status`, if given, says what was done.
async function act(request, status) {
  if (busy) return;
  busy = true;
  say("status", "");
  try {
    const data = await request();
    if (status) say("status", status(data), true);
    showQuestion(data.question);
    showProgress(data.progress);
  } catch (e) {
    say("status", e.message);
    queuedKeys.length = 0; // what was typed after a failure is not meant for what comes next
  } finally {
    busy = false;
  }
  const next = queuedKeys.shift();
  if (next) pressKey(next);
}

// The question the queue asks now, as the server has it after a re-fit: a card that is no
// longer the head is replaced, with a note, unless the person has unticked titles on it.
async function followQueue() {
  if (busy || $("ask").hidden) return;
  const data = await call("GET", "/api/question");
  if (busy) return; // an answer went out meanwhile: its reply brings the question
  showProgress(data.progress);
  const subject = data.question ? data.question.subject : "";
  const shown = current ? current.subject : "";
  if (subject === shown || unticked().length) return;
  showQuestion(data.question);
  setText("q-note", "The family changed with the last re-fit: a new question.");
}

// The titles unticked on the card: the exceptions to its answer.
function unticked() {
  return [...document.querySelectorAll("#q-titles input[data-member]")]
    .filter((box) => !box.checked)
    .map((box) => box.dataset.member);
}

function answer(value) {
  if (!current) return;
  const exceptions = value === "skip" ? [] : unticked();
  if (!exceptions.length) {
    return act(() => give("/api/answer", { subject: current.subject, answer: value }));
  }
  const other = value === "yes" ? "no" : "yes";
  return act(
    () => give("/api/answer", { subject: current.subject, answer: value, except: exceptions }),
    () =>
      "Answered " + value + ", except " + exceptions.length +
      (exceptions.length === 1 ? " title" : " titles") + " (answered " + other +
      "). One undo takes back all."
  );
}

function undo() {
  const batch = myBatches[myBatches.length - 1];
  if (batch === undefined) {
    if (!busy) setText("status", "Nothing to undo: this page has given no answer since it opened.");
    return;
  }
  const forget = () => {
    const i = myBatches.lastIndexOf(batch);
    if (i >= 0) myBatches.splice(i, 1);
  };
  return act(
    async () => {
      try {
        const data = await call("POST", "/api/undo", { batch });
        forget();
        return data;
      } catch (e) {
        // undone already (by another page) or gone: the next undo is the batch before it
        if (e.status === 409 || e.status === 400) forget();
        throw e;
      }
    },
    (data) => "Undone: " + data.undone + " answer(s)."
  );
}

let thresholdTimer = null;
function thresholdChanged() {
  clearTimeout(thresholdTimer);
  thresholdTimer = setTimeout(async () => {
    const t = $("threshold").value;
    // the exports follow the slider (at the fitted threshold, they need no ?t=)
    const fitted = lastProgress ? lastProgress.threshold : null;
    for (const a of document.querySelectorAll("a[data-export]")) {
      const moved = fitted === null || Math.abs(Number(t) - fitted) > 1e-9;
      a.href = a.dataset.export + (moved ? "?t=" + encodeURIComponent(t) : "");
    }
    try {
      const s = await call("GET", "/api/threshold?t=" + encodeURIComponent(t));
      const pct = (v) => (v == null ? "n/a" : (100 * v).toFixed(0) + "%");
      const span = (iv) =>
        iv && iv[0] != null && iv[1] != null
          ? ", 95% interval " + (100 * iv[0]).toFixed(0) + "–" + (100 * iv[1]).toFixed(0) + "%"
          : "";
      const a = s.audit;
      setText(
        "threshold-stats",
        "At " + Number(t).toFixed(2) + ": " + s.matches.toLocaleString() + " of " +
          s.postings.toLocaleString() + " postings match. The model's own call on the answered postings (it learned from them): precision " +
          pct(s.answered_precision) + ", recall " + pct(s.answered_recall) + ". From " + a.audits +
          " audits (postings drawn at random among the unanswered): precision " +
          pct(a.precision) + " (" + a.audited_matches + " drawn from the matches" +
          span(a.precision_interval) + "), recall " + pct(a.recall) + " (" + a.audited_rest +
          " from the rest" + span(a.recall_interval) + ")."
      );
    } catch (e) {
      setText("status", e.message);
    }
  }, 120);
}

// Answers a model trained without them would give the other way: each can be flipped with one
// click (a title answer, undone like any other). The check takes seconds: the button says so.
async function refreshCheck() {
  const button = $("check-button");
  const list = $("check");
  button.disabled = true;
  button.textContent = "checking…";
  list.setAttribute("aria-busy", "true");
  try {
    const data = await call("GET", "/api/check");
    list.replaceChildren();
    for (const r of data.rows.slice(0, 20)) {
      const li = document.createElement("li");
      li.append(r.title + ": answered " + r.answered + ", predicted " + r.predicted + " ");
      const other = r.answered === "yes" ? "no" : "yes";
      const flip = document.createElement("button");
      flip.className = "small";
      flip.textContent = "make it " + other;
      flip.dataset.flip = r.subject;
      flip.addEventListener("click", () =>
        act(
          () => give("/api/answer", { subject: r.subject, answer: other }),
          () => "Answered " + other + ": " + r.title + "."
        ).then(() => li.remove())
      );
      li.append(flip);
      list.append(li);
    }
    if (!data.rows.length) list.textContent = "none";
  } catch (e) {
    list.textContent = e.message;
  } finally {
    button.disabled = false;
    button.textContent = "refresh";
    list.removeAttribute("aria-busy");
  }
}

// -- the list view --------------------------------------------------------------------------
let rows = [];
function showRows(found, status) {
  rows = found;
  const body = $("rows").querySelector("tbody");
  body.replaceChildren();
  for (const r of found) {
    const tr = document.createElement("tr");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.dataset.subject = r.subject;
    const cells = [box, r.title, r.postings, r.matched, r.p, r.answered || "–"];
    for (const c of cells) {
      const td = document.createElement("td");
      if (c instanceof Node) td.append(c);
      else td.textContent = String(c);
      tr.append(td);
    }
    const td = document.createElement("td");
    const b = document.createElement("button");
    b.textContent = "find similar";
    b.addEventListener("click", () => similar(r.subject));
    td.append(b);
    tr.append(td);
    body.append(tr);
  }
  setText("list-status", status);
}

async function search(ev) {
  if (ev) ev.preventDefault();
  const q = $("search").value;
  const regex = $("regex").checked ? "1" : "0";
  try {
    const data = await call("GET", "/api/search?q=" + encodeURIComponent(q) + "&regex=" + regex);
    showRows(data.rows, data.rows.length + " titles");
  } catch (e) {
    showRows([], e.message);
  }
}

async function similar(subject) {
  try {
    const data = await call("GET", "/api/similar?subject=" + encodeURIComponent(subject));
    showRows(data.rows, "the titles nearest by embedding");
  } catch (e) {
    setText("list-status", e.message);
  }
}

let pending = null;
function bulk(value) {
  const chosen = [...document.querySelectorAll("#rows tbody input:checked")].map((b) => b.dataset.subject);
  if (!chosen.length) {
    setText("list-status", "Select titles first.");
    return;
  }
  pending = { subjects: chosen, answer: value };
  const n = rows.filter((r) => chosen.includes(r.subject)).reduce((s, r) => s + r.postings, 0);
  setText("preview-text", "Answer " + value + " for " + chosen.length + " titles (" + n + " postings)? One undo takes them all back.");
  const list = $("preview-list");
  list.replaceChildren();
  for (const r of rows.filter((r) => chosen.includes(r.subject))) {
    const li = document.createElement("li");
    li.textContent = r.title + " (" + r.postings + ")";
    list.append(li);
  }
  $("preview").hidden = false;
}

async function confirmBulk() {
  if (!pending) return;
  try {
    const data = await give("/api/answer-many", pending);
    $("all").checked = false;
    // the list again, with the answers in it (and nothing ticked)
    if ($("search").value) await search();
    else for (const b of document.querySelectorAll("#rows tbody input")) b.checked = false;
    say("list-status", "Answered " + data.answered + " titles.", true);
  } catch (e) {
    setText("list-status", e.message);
  }
  pending = null;
  $("preview").hidden = true;
  load();
}

function showTab(name) {
  for (const pane of document.querySelectorAll(".pane")) pane.hidden = pane.id !== name;
}

document.addEventListener("keydown", (ev) => {
  // a ticked or unticked title on the card keeps the keys (y, n, s answer the card)
  const typing =
    (ev.target instanceof HTMLInputElement && ev.target.type !== "checkbox") ||
    ev.target instanceof HTMLTextAreaElement;
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey || $("ask").hidden) return;
  if (ev.key === "Backspace") ev.preventDefault();
  if (ev.key === "?") $("help").showModal();
  else if (["y", "n", "s", "Backspace"].includes(ev.key)) {
    if (busy) queueKey(ev.key);
    else pressKey(ev.key);
  }
});

function pressKey(key) {
  if (key === "y") return answer("yes");
  if (key === "n") return answer("no");
  if (key === "s") return answer("skip");
  if (key === "Backspace") return undo();
}

for (const b of document.querySelectorAll("[data-answer]")) b.addEventListener("click", () => answer(b.dataset.answer));
for (const b of document.querySelectorAll("[data-bulk]")) b.addEventListener("click", () => bulk(b.dataset.bulk));
for (const a of document.querySelectorAll(".tab")) a.addEventListener("click", () => showTab(a.dataset.tab));
$("undo").addEventListener("click", undo);
$("help-button").addEventListener("click", () => $("help").showModal());
$("help-close").addEventListener("click", () => $("help").close());
$("threshold").addEventListener("input", thresholdChanged);
$("check-button").addEventListener("click", refreshCheck);
$("search-form").addEventListener("submit", search);
$("preview-ok").addEventListener("click", confirmBulk);
$("preview-cancel").addEventListener("click", () => { pending = null; $("preview").hidden = true; });
$("all").addEventListener("change", (ev) => {
  for (const b of document.querySelectorAll("#rows tbody input")) b.checked = ev.target.checked;
});
setInterval(async () => {
  try {
    await followQueue();
  } catch (e) {
    /* the next answer reports it */
  }
}, 1000);
showTab(location.hash === "#list" ? "list" : "ask");
load();
