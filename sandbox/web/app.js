// Loa sandbox: the web chat. Plain JavaScript, no build step.
(function () {
  "use strict";
  var body = document.body;
  var state = { as: 0, chat: 0 };
  var chatEl = document.getElementById("chat");
  var toast = document.getElementById("toast");
  var loading = false, again = false, lastHTML = "";

  function show(msg, ok) {
    toast.textContent = msg;
    toast.className = "toast" + (ok ? " ok" : "");
    toast.hidden = false;
    clearTimeout(show.t);
    show.t = setTimeout(function () { toast.hidden = true; }, 4000);
  }

  function post(path, data) {
    var opts = { method: "POST", body: data };
    if (!(data instanceof FormData)) {
      opts.body = new URLSearchParams(data);
    }
    return fetch(path, opts).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (t) { throw new Error(t || r.status); });
      }
      return r.status === 204 ? null : r.json();
    }).catch(function (e) { show(body.dataset.err + ": " + e.message); throw e; });
  }

  function markCast() {
    document.querySelectorAll("#cast .person, #cast .group").forEach(function (b) {
      var on = b.classList.contains("person") ? (+b.dataset.id === state.as && state.chat === state.as)
        : (+b.dataset.as === state.as && +b.dataset.chat === state.chat);
      b.classList.toggle("on", on);
    });
  }

  function load() {
    if (!state.as) { return; }
    if (loading) { again = true; return; }
    loading = true;
    var want = state.as + ":" + state.chat;
    fetch("/chat?as=" + state.as + "&chat=" + state.chat + "&lang=" + body.dataset.lang)
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (want !== state.as + ":" + state.chat) { again = true; return; }
        // Only the conversation is replaced, never the composer: a
        // person typing while a message arrives loses nothing.
        if (html !== lastHTML || chatEl.dataset.loaded !== want) {
          var old = document.getElementById("messages");
          var atBottom = !old || chatEl.dataset.loaded !== want || old.scrollHeight - old.scrollTop - old.clientHeight < 40;
          chatEl.innerHTML = html;
          lastHTML = html;
          var list = document.getElementById("messages");
          if (atBottom) { list.scrollTop = list.scrollHeight; }
        }
        chatEl.dataset.loaded = want;
        document.getElementById("composer").hidden = false;
      })
      .finally(function () {
        loading = false;
        if (again) { again = false; load(); }
      });
  }

  function pick(as, chat) {
    state.as = as; state.chat = chat || as;
    markCast();
    document.getElementById("text").value = "";
    chatEl.dataset.loaded = "";
    load();
  }

  document.getElementById("cast").addEventListener("click", function (e) {
    var b = e.target.closest("button.person, button.group");
    if (!b) { return; }
    if (b.classList.contains("person")) { pick(+b.dataset.id, +b.dataset.id); }
    else { pick(+b.dataset.as, +b.dataset.chat); }
  });

  chatEl.addEventListener("click", function (e) {
    var tab = e.target.closest("button.tab");
    if (tab) { pick(state.as, +tab.dataset.chat); return; }
    var kb = e.target.closest("button.kb");
    if (kb) {
      var msg = kb.closest(".msg");
      kb.disabled = true;
      post("/press", { as: state.as, chat: state.chat, msg: msg.dataset.id, data: kb.dataset.cb })
        .finally(function () { kb.disabled = false; });
      return;
    }
    var sp = e.target.closest(".tg-spoiler");
    if (sp) { sp.classList.add("shown"); }
  });

  var composer = document.getElementById("composer");
  composer.addEventListener("submit", function (e) {
    e.preventDefault();
    var ta = document.getElementById("text");
    var file = document.getElementById("file");
    if (file.files.length) {
      var fd = new FormData();
      fd.append("as", state.as); fd.append("chat", state.chat);
      fd.append("file", file.files[0]); fd.append("caption", ta.value);
      post("/upload", fd).then(function () { ta.value = ""; file.value = ""; load(); });
      return;
    }
    if (!ta.value.trim()) { return; }
    var text = ta.value;
    ta.value = "";
    post("/send", { as: state.as, chat: state.chat, text: text }).then(load, function () { ta.value = text; });
  });

  composer.addEventListener("keydown", function (e) {
    if (e.target.id === "text" && e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      document.getElementById("send").click();
    }
  });

  document.getElementById("add-person").addEventListener("submit", function (e) {
    e.preventDefault();
    post("/person", new URLSearchParams(new FormData(e.target))).then(function () { location.reload(); });
  });
  document.getElementById("add-group").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!state.as) { show(document.querySelector(".pick") ? document.querySelector(".pick").textContent : "?"); return; }
    var fd = new URLSearchParams(new FormData(e.target));
    fd.append("as", state.as);
    post("/group", fd).then(function () { location.reload(); });
  });
  document.getElementById("publish").addEventListener("submit", function (e) {
    e.preventDefault();
    post("/publish", new URLSearchParams(new FormData(e.target))).then(function () {
      e.target.reset();
      show(body.dataset.published, true);
    });
  });

  var es = new EventSource("/events");
  es.addEventListener("change", function () { load(); });
  es.addEventListener("stats", function (e) {
    var s = JSON.parse(e.data);
    document.getElementById("st-rate").textContent = s.per_second.toFixed(1);
    document.getElementById("st-429").textContent = s.too_many_requests;
    document.getElementById("st-err").textContent = s.errors;
    document.getElementById("st-queue").textContent = s.queue;
  });
})();
