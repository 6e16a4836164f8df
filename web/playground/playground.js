// The graph playground: Python (Pyodide) computes, viz.js draws, this file wires the page.
//
// Python's side is playground.py (it uses tinygrad_edu's parser, engine, draw and trace).
// State lives in the URL (?formula=...&x=0.5&w=-3) so a link reproduces the picture.
"use strict";

(function () {
  var $ = function (id) { return document.getElementById(id); };
  var box = $("formula"), status = $("status"), sliders = $("sliders"), graph = $("graph");
  var table = $("table"), playerRoot = $("player"), share = $("share");
  var py = null, viz = null;
  var values = {};            // name -> number, what the sliders show
  var pending = false;        // an update is scheduled for the next frame
  var playerTimer = null;
  var drawCount = 0;          // how many graphs have been drawn (tests and timings read it)

  // -- URL <-> state --------------------------------------------------------
  function readURL() {
    var params = new URLSearchParams(location.search);
    if (!params.has("formula")) values = { x: 0.5, w: -3, b: 2 };   // the CLI's example
    if (params.has("formula")) box.value = params.get("formula");
    params.forEach(function (v, k) {
      var x = parseFloat(v);
      if (k !== "formula" && isFinite(x)) values[k] = x;
    });
  }

  function writeURL(variables) {
    var params = new URLSearchParams();
    params.set("formula", box.value);
    variables.forEach(function (v) { params.set(v.name, String(v.value)); });
    var url = location.pathname + "?" + params.toString();
    history.replaceState(null, "", url);
    share.href = url;
  }

  // -- layout: left-to-right on wide screens, top-to-bottom on a phone -------
  function rankdir() { return window.innerWidth < 700 ? "TB" : "LR"; }

  // -- sliders --------------------------------------------------------------
  function sliderRange(v) {
    var r = Math.max(3, Math.ceil(Math.abs(v) * 2));
    return [-r, r];
  }

  function buildSliders(variables) {
    var names = variables.map(function (v) { return v.name; }).join(",");
    if (sliders.getAttribute("data-names") === names) {      // same variables: just sync
      variables.forEach(function (v) {
        var row = sliders.querySelector('[data-name="' + v.name + '"]');
        var num = row.querySelector("input[type=number]");
        if (document.activeElement !== num) num.value = v.value;
        row.querySelector("input[type=range]").value = v.value;
      });
      return;
    }
    sliders.setAttribute("data-names", names);
    sliders.textContent = "";
    variables.forEach(function (v) {
      var row = document.createElement("div");
      row.className = "slider";
      row.setAttribute("data-name", v.name);
      var range = sliderRange(v.value);
      var label = document.createElement("label");
      label.textContent = v.name;
      var slider = document.createElement("input");
      slider.type = "range"; slider.min = range[0]; slider.max = range[1]; slider.step = "0.01";
      slider.value = v.value; slider.setAttribute("aria-label", v.name);
      slider.id = "slider-" + v.name; label.htmlFor = slider.id;
      var num = document.createElement("input");
      num.type = "number"; num.step = "any"; num.value = v.value;
      num.setAttribute("aria-label", v.name + " (exact value)");
      slider.addEventListener("input", function () {
        values[v.name] = parseFloat(slider.value); num.value = slider.value; schedule();
      });
      num.addEventListener("input", function () {
        var x = parseFloat(num.value);
        if (!isFinite(x)) return;
        values[v.name] = x;
        var r = sliderRange(x);
        if (x < +slider.min || x > +slider.max) { slider.min = r[0]; slider.max = r[1]; }
        slider.value = x; schedule();
      });
      row.appendChild(label); row.appendChild(slider); row.appendChild(num);
      sliders.appendChild(row);
    });
  }

  // -- the picture and the table ---------------------------------------------
  function showError(message) {
    clearTimeout(playerTimer);               // the player keeps the last good graph's steps
    status.textContent = message;
    status.className = "status error";
    document.body.setAttribute("data-state", "error");
    graph.classList.add("stale");            // the last good picture stays, dimmed
  }

  function showTable(result) {
    var rows = ["<tr><th></th><th>value</th><th>gradient ∂f/∂·</th><th>central difference</th><th></th></tr>",
                '<tr class="output"><th>f</th><td title="' + result.value_full + '">' + result.value +
                "</td><td></td><td></td><td></td></tr>"];
    result.rows.forEach(function (r) {
      var v = values[r.name];
      var mark = r.agree === true ? '<span class="ok" title="agree">✓</span>' :
                 r.agree === false ? '<span class="bad" title="disagree">✗</span>' : "";
      rows.push('<tr data-name="' + r.name + '"><th>' + r.name + "</th><td>" + v +
                '</td><td class="grad" title="' + r.grad_full + '">' + r.grad + "</td><td>" +
                r.numeric + "</td><td>" + mark + "</td></tr>");
    });
    table.innerHTML = rows.join("");
  }

  // Graphviz sizes the picture in points for print; on a big screen (a projector) draw
  // it larger, as the text around it grows; max-width in the CSS still fits it to the page.
  function prepare(svg) {
    // Graphviz paints a white page behind the graph; let the card's colour show instead
    // (in dark mode the picture is inverted, and an inverted white would be a grey block).
    var page = svg.querySelector("g.graph > polygon");
    if (page) page.setAttribute("fill", "transparent");
    var scale = 1.2 * parseFloat(getComputedStyle(document.documentElement).fontSize) / 16;
    svg.style.width = (parseFloat(svg.getAttribute("width")) * scale) + "pt";
  }

  // A picture wider than its box shrinks to fit, but not below 3/4 of Graphviz's own size
  // (9-point numbers): smaller is unreadable, so past that the box scrolls sideways.
  function fit(svg, box) {
    var wanted = parseFloat(svg.style.width) * 4 / 3;                 // pt -> px
    var smallest = parseFloat(svg.getAttribute("width")) * 4 / 3 * 0.75;
    var style = getComputedStyle(box);
    var room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 1;
    svg.style.maxWidth = "none";
    svg.style.width = Math.min(wanted, Math.max(room, smallest)) + "px";
  }

  function update() {
    pending = false;
    var started = performance.now();
    var result = JSON.parse(py.update_json(box.value, JSON.stringify(values), rankdir()));
    if (!result.ok) { showError(result.error); return; }
    result.variables.forEach(function (v) { values[v.name] = v.value; });
    var svg;
    try {
      svg = viz.renderSVGElement(result.dot);
    } catch (err) {
      showError("Graphviz could not draw this graph: " + err);
      return;
    }
    prepare(svg);
    graph.replaceChildren(svg);
    fit(svg, graph);
    graph.classList.remove("stale");
    buildSliders(result.variables);
    showTable(result);
    writeURL(result.variables);
    drawCount += 1;
    var ms = performance.now() - started;
    graph.setAttribute("data-draws", drawCount);
    graph.setAttribute("data-ms", ms.toFixed(1));
    graph.setAttribute("data-drawn-at", performance.now().toFixed(1));
    status.textContent = "f = " + result.value;
    status.className = "status";
    document.body.setAttribute("data-state", "ready");
    clearTimeout(playerTimer);                     // the player follows once typing pauses
    playerTimer = setTimeout(buildPlayer, 250);
  }

  function schedule() {
    if (pending || !py) return;
    pending = true;
    requestAnimationFrame(function () { setTimeout(update, 0); });
  }

  // A frame wider than the player scrolls: keep the node being processed (at the start,
  // the output) in the middle of the view, as tinygrad_edu.trace's own player does.
  function reveal(frame) {
    var node = frame.querySelector("g.value.current") || frame.querySelector("g.value.output");
    if (!node || frame.scrollWidth <= frame.clientWidth) return;
    var n = node.getBoundingClientRect(), f = frame.getBoundingClientRect();
    frame.scrollLeft += (n.left + n.width / 2) - (f.left + f.width / 2);
  }

  // -- the step-through player (the frames of tinygrad_edu.trace) -------------
  function buildPlayer() {
    var result = JSON.parse(py.player_json()), frames = result.frames;
    var cache = [];
    var at = 0;
    if (!frames.length) {
      if (!result.note) return;              // no good graph: keep what is shown
      playerRoot.innerHTML = '<p class="hint"></p>';
      playerRoot.firstChild.textContent = result.note;
      return;
    }
    playerRoot.innerHTML =
      '<div class="tge-controls"><button type="button" class="tge-prev">◀ previous</button>' +
      '<input type="range" class="tge-slider" min="0" max="' + (frames.length - 1) +
      '" value="0" aria-label="frame"><button type="button" class="tge-next">next ▶</button>' +
      '<span class="tge-count"></span></div><div class="tge-caption"></div>' +
      '<div class="tge-frame tge-on"></div>';
    var prev = playerRoot.querySelector(".tge-prev"), next = playerRoot.querySelector(".tge-next");
    var slider = playerRoot.querySelector(".tge-slider"), count = playerRoot.querySelector(".tge-count");
    var caption = playerRoot.querySelector(".tge-caption"), frame = playerRoot.querySelector(".tge-frame");
    function show(i) {
      at = Math.max(0, Math.min(frames.length - 1, i));
      if (!cache[at]) {                        // drawn when first shown
        cache[at] = viz.renderSVGElement(frames[at].dot);
        prepare(cache[at]);
      }
      frame.replaceChildren(cache[at]);
      fit(cache[at], frame);
      reveal(frame);
      frame.setAttribute("data-frame", at);
      frame.setAttribute("data-current", frames[at].current);
      caption.textContent = frames[at].caption;
      slider.value = at;
      prev.disabled = at === 0; next.disabled = at === frames.length - 1;
      count.textContent = "frame " + (at + 1) + " / " + frames.length;
      playerRoot.setAttribute("data-frame", at);
    }
    prev.addEventListener("click", function () { show(at - 1); });
    next.addEventListener("click", function () { show(at + 1); });
    slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
    playerRoot.onkeydown = function (e) {
      if (e.key === "ArrowLeft") { show(at - 1); e.preventDefault(); }
      if (e.key === "ArrowRight") { show(at + 1); e.preventDefault(); }
    };
    show(0);
  }

  // -- start ----------------------------------------------------------------
  async function fetchBytes(url) {
    var response = await fetch(url);
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    return response.arrayBuffer();
  }

  // When each stage of the start finished (ms since navigation), for timing the cold start.
  var phases = [];
  function phase(name) {
    phases.push(name + " " + performance.now().toFixed(0));
    document.body.setAttribute("data-phases", phases.join(", "));
  }

  async function start() {
    phase("script");
    readURL();
    var base = new URL("assets/", document.baseURI).href;
    var vizReady = Viz.instance();
    var manifest = fetch(base + "py/manifest.json").then(function (r) { return r.json(); });
    var pyodide = await loadPyodide({ indexURL: base + "pyodide/" });
    phase("pyodide");
    var wheels = (await manifest).wheels;
    var buffers = await Promise.all(wheels.map(function (w) { return fetchBytes(base + "py/" + w); }));
    buffers.forEach(function (buffer) { pyodide.unpackArchive(buffer, "wheel"); });
    var source = await (await fetch(base + "py/playground.py")).text();
    pyodide.FS.writeFile("/home/pyodide/playground.py", source);
    py = pyodide.pyimport("playground");
    phase("import");
    viz = await vizReady;
    phase("viz");
    box.addEventListener("input", schedule);
    var lastDir = rankdir();
    window.addEventListener("resize", function () {
      if (rankdir() !== lastDir) { lastDir = rankdir(); schedule(); }
    });
    update();
    phase("graph");
    window.tgePlayground = { update: update, get draws() { return drawCount; } };
  }

  start().catch(function (err) {
    showError("The playground could not start: " + err);
    document.body.setAttribute("data-state", "failed");
  });
})();
