/* jifen's web chat: talks to /api/chat, keeps the conversation in sessionStorage (it survives a reload and
   back/forward; it goes with the tab), and never loses an answer: every message has an id, waits in an outbox
   until the server has answered it, and is sent again (same id) after a lost connection — the server applies an
   id once. No framework, no build step. */
(() => {
  "use strict";
  const WORDS = JSON.parse(document.getElementById("words").textContent);
  const logEl = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("input");
  const sendButton = document.getElementById("send");
  const statusEl = document.getElementById("status");
  const LOG_KEY = "jifen-log-v1";
  const OUTBOX_KEY = "jifen-outbox-v1";
  const KEEP = 200;
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
  let lang = document.documentElement.lang.startsWith("en") ? "en" : "zh";
  let history = read(LOG_KEY) || [];
  let outbox = read(OUTBOX_KEY) || [];
  let busy = false;
  let retryTimer = 0;
  let failures = 0;
  let figures = 0;

  function w(key) {
    return (WORDS[lang] && WORDS[lang][key]) || WORDS.zh[key] || key;
  }
  function read(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function persist() {
    try {
      sessionStorage.setItem(LOG_KEY, JSON.stringify(history.slice(-KEEP)));
      sessionStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox));
    } catch (e) { /* storage full or off: the conversation still works, a reload shows the current question */ }
  }
  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function setStatus(key, alert) {
    statusEl.textContent = key ? w(key) : "";
    statusEl.classList.toggle("alert", Boolean(alert));
  }
  function setLanguage(code) {
    if (code !== "zh" && code !== "en") return;
    lang = code;
    document.documentElement.lang = code === "zh" ? "zh-CN" : "en";
    document.title = w("title");
    document.getElementById("title").textContent = w("title");
    document.getElementById("intro").textContent = w("intro");
    document.getElementById("input-label").textContent = w("input.label");
    logEl.setAttribute("aria-label", w("log.label"));
    input.placeholder = w("input.placeholder");
    sendButton.textContent = w("send");
  }

  // --- rendering ---------------------------------------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function who(key) {
    return el("span", "who", w(key) + ": ");
  }
  function picture(p) {
    const figure = el("figure");
    const doc = new DOMParser().parseFromString(p.svg, "image/svg+xml");
    const svg = doc.documentElement;
    if (svg && svg.nodeName === "svg") {
      const node = document.importNode(svg, true);
      figures += 1;  // ids unique on this page, whatever process drew the picture
      const title = node.querySelector("title");
      const desc = node.querySelector("desc");
      if (title && desc) {
        title.id = "fig" + figures + "t";
        desc.id = "fig" + figures + "d";
        node.setAttribute("aria-labelledby", title.id + " " + desc.id);
      }
      figure.appendChild(node);
    }
    const caption = el("figcaption");
    const link = el("a", "chip", p.save);
    link.href = p.png;
    link.setAttribute("download", "jifen-" + p.kind + ".png");
    caption.appendChild(link);
    figure.appendChild(caption);
    return figure;
  }
  function botMessage(m, live) {
    const box = el("div", "msg bot" + (live ? " new" : " earlier"));
    box.appendChild(who("bot"));
    box.appendChild(el("div", "bubble", m.text));
    if (m.picture) box.appendChild(picture(m.picture));
    if (m.link) {
      const a = el("a", "chip", m.link.label);
      a.href = m.link.href;
      a.setAttribute("download", "jifen-reminders.ics");
      const row = el("div", "chips");
      row.appendChild(a);
      box.appendChild(row);
    }
    const buttons = (m.buttons || []).flat();
    if (buttons.length) {
      const list = el("div", "chips");
      list.setAttribute("role", "group");
      let n = 0;
      for (const b of buttons) {
        const chip = el("button", b.payload.startsWith("c:") ? "chip cmd" : "chip");
        chip.type = "button";
        if (m.numbered && b.payload.startsWith("a:")) {
          n += 1;
          chip.appendChild(el("span", "n", String(n)));
        }
        chip.appendChild(document.createTextNode(b.label));
        chip.dataset.payload = b.payload;
        chip.dataset.label = b.label;
        chip.disabled = !live;
        list.appendChild(chip);
      }
      box.appendChild(list);
    }
    return box;
  }
  function myMessage(entry) {
    const box = el("div", "msg me" + (entry.pending ? " pending" : ""));
    box.dataset.id = entry.id;
    box.appendChild(who("you"));
    box.appendChild(el("div", "bubble", entry.text));
    if (entry.pending) box.appendChild(el("span", "state", w("status.sending")));
    return box;
  }
  function disableEarlierChips() {
    for (const chip of logEl.querySelectorAll("button.chip")) chip.disabled = true;
  }
  function show(messages, live) {
    disableEarlierChips();
    let first = null;
    for (const m of messages) {
      const node = botMessage(m, live);
      logEl.appendChild(node);
      first = first || node;
      if (m.lang) setLanguage(m.lang);
    }
    if (first && live) first.scrollIntoView({ block: "start", behavior: reduced.matches ? "auto" : "smooth" });
    return logEl.lastElementChild;
  }
  function restore() {
    for (const entry of history) {
      if (entry.who === "me") logEl.appendChild(myMessage({ id: entry.id, text: entry.text }));
      else logEl.appendChild(botMessage(entry.m, false));
    }
    for (const entry of outbox) logEl.appendChild(myMessage({ ...entry, pending: true }));
    const last = history.filter((e) => e.who === "bot").pop();
    if (last && last.m.lang) setLanguage(last.m.lang);
  }

  // --- talking to the server --------------------------------------------------------------------------
  async function sync() {
    try {
      const res = await fetch("/api/chat?lang=" + encodeURIComponent(navigator.language || ""),
                              { credentials: "same-origin", cache: "no-store" });
      if (!res.ok) throw new Error(String(res.status));
      const data = await res.json();
      record(data.messages);
      show(data.messages, true);
      setStatus("");
    } catch (e) {
      setStatus("status.offline", true);
      retry(sync);
    }
  }
  function record(messages) {
    for (const m of messages) history.push({ who: "bot", m });
    persist();
  }
  function retry(what) {
    clearTimeout(retryTimer);
    failures += 1;
    retryTimer = setTimeout(what, Math.min(10000, 1000 * 2 ** Math.min(failures - 1, 4)));
  }
  function submit(entry) {
    entry.id = newId();
    outbox.push(entry);
    persist();
    disableEarlierChips();
    const mine = myMessage({ ...entry, pending: true });
    logEl.appendChild(mine);
    mine.scrollIntoView({ block: "end", behavior: reduced.matches ? "auto" : "smooth" });
    flush();
  }
  async function flush() {
    if (busy) return;
    busy = true;
    try {
      while (outbox.length) {
        const entry = outbox[0];
        const body = { id: entry.id, lang: navigator.language || undefined };
        if (entry.button) body.button = entry.button; else body.text = entry.text;
        let res;
        try {
          res = await fetch("/api/chat", {
            method: "POST", credentials: "same-origin", cache: "no-store",
            headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
          });
        } catch (e) {
          setStatus("status.offline", true);
          retry(flush);
          return;
        }
        if (res.status === 429 || res.status >= 500) {
          setStatus(res.status === 429 ? "status.rate" : "status.unavailable", true);
          const after = Number(res.headers.get("Retry-After")) || 0;
          clearTimeout(retryTimer);
          retryTimer = setTimeout(flush, Math.max(after * 1000, 1000));
          return;
        }
        outbox.shift();
        const mine = logEl.querySelector('.me[data-id="' + entry.id + '"]');
        if (!res.ok) {  // refused (403, 413, 400): this message cannot succeed; say so and drop it
          setStatus(res.status === 413 ? "status.too_large" : "status.refused", true);
          if (mine) mine.remove();
          persist();
          continue;
        }
        const data = await res.json();
        failures = 0;
        setStatus("");
        if (mine) {
          mine.classList.remove("pending");
          const state = mine.querySelector(".state");
          if (state) state.remove();
        }
        if (data.deleted) {  // the data and the cookie are gone: so is this tab's copy of the conversation
          history = [];
          logEl.replaceChildren();
        } else {
          history.push({ who: "me", id: entry.id, text: entry.text });
        }
        record(data.messages);
        const last = show(data.messages, true);
        focusAfter(entry, last);
      }
    } finally {
      busy = false;
    }
  }
  function focusAfter(entry, last) {
    if (!entry.button) return;  // typing: the focus stays in the box
    const chip = last && last.querySelector("button.chip:not(:disabled)");
    (chip || input).focus({ preventScroll: true });
  }

  // --- input ---------------------------------------------------------------------------------------
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    grow();
    submit({ text });
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 4, 128) + "px";
  }
  input.addEventListener("input", grow);
  logEl.addEventListener("click", (event) => {
    const chip = event.target.closest("button.chip");
    if (!chip || chip.disabled) return;
    submit({ button: chip.dataset.payload, text: chip.dataset.label });
  });
  window.addEventListener("online", () => { failures = 0; flush(); });
  window.addEventListener("pageshow", (event) => { if (event.persisted) flush(); });

  restore();
  if (outbox.length) flush(); else sync();
})();
