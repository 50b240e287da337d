/* Sales dashboard: draws the charts from the payload the page embeds, and when a filter
   changes fetches /dashboard/sales/data/ and re-draws cards, charts, tables and download
   links (the URL follows via history.replaceState). No framework; uPlot only for the line.
   Without JavaScript the form submits and the server draws the tables. */
(function () {
    "use strict";
    var root = document.getElementById("sales-dashboard");
    var form = document.getElementById("sales-filters");
    if (!root || !form) { return; }
    var dataUrl = root.dataset.dataUrl;
    var payloadEl = document.getElementById("sales-payload");
    var payload = payloadEl ? JSON.parse(payloadEl.textContent) : null;
    var stringsEl = document.getElementById("sales-strings");
    var T = stringsEl ? JSON.parse(stringsEl.textContent) : {};  // the page's language
    function t(key, values) {
        return (T[key] || key).replace(/%\((\w+)\)[sd]/g, function (_m, name) {
            return values && values[name] !== undefined ? values[name] : "";
        });
    }
    var plot = null, pending = null;
    var MAP_COLOURS = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
    var NONE_COLOUR = "#e9ecef";

    function role(name) { return root.querySelector('[data-role="' + name + '"]'); }
    function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) { e.className = cls; }
        if (text !== undefined) { e.textContent = text; }
        return e;
    }
    function yuan(fen) {
        return (fen / 100).toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
    }
    function query() {
        var params = new URLSearchParams();
        new FormData(form).forEach(function (v, k) { if (v) { params.append(k, v); } });
        return params.toString();
    }

    /* --- cards and tables: the server's display strings, re-drawn --- */
    function drawCards(p) {
        var box = role("kpi-cards");
        if (!box) { return; }
        box.textContent = "";
        p.tables.kpis.rows.forEach(function (row, i) {
            var card = p.kpis[i], c = el("div", "card sales-kpi"), body = el("div", "card-body p-2");
            body.appendChild(el("div", "small text-muted", row[0]));
            body.appendChild(el("div", "h5 mb-1", row[1]));
            var ch = el("div", "small");
            ch.appendChild(change(t("mom"), row[3], card.mom));
            ch.appendChild(document.createTextNode(" · "));
            ch.appendChild(change(t("yoy"), row[5], card.yoy));
            body.appendChild(ch);
            c.appendChild(body);
            box.appendChild(c);
        });
    }
    function change(label, text, value) {
        var s = el("span", value > 0 ? "up" : (value < 0 ? "down" : ""), label + " " + text);
        return s;
    }
    function drawTable(key, t) {
        var table = root.querySelector('table[data-table="' + key + '"]');
        if (!table) { return; }
        var body = table.tBodies[0];
        body.textContent = "";
        if (!t.rows.length) {
            var tr = el("tr"), td = el("td", "text-muted", t("no_data"));
            td.colSpan = t.headers.length;
            tr.appendChild(td);
            body.appendChild(tr);
            return;
        }
        t.rows.forEach(function (row) {
            var tr = el("tr");
            row.forEach(function (cell, i) { tr.appendChild(el("td", t.numeric[i] ? "text-right" : "", cell)); });
            body.appendChild(tr);
        });
    }

    /* --- charts --- */
    function drawLine(box, p) {
        var points = p.series.points;
        if (typeof uPlot === "undefined" || !points.length) { return; }
        var xs = points.map(function (_pt, i) { return i; });
        var now = points.map(function (pt) { return pt.gmv_fen / 100; });
        var before = points.map(function (pt) { return pt.previous_gmv_fen === null ? null : pt.previous_gmv_fen / 100; });
        var label = function (i) {
            var pt = points[i];
            return pt ? (p.series.grain === "month" ? pt.date.slice(0, 7) : pt.date.slice(5)) : "";
        };
        var opts = {
            width: Math.max(box.clientWidth, 260), height: 220,
            scales: {x: {time: false}},
            series: [
                {label: t("date"), value: function (_u, v) { return v === null ? "" : label(v); }},
                {label: t("current"), stroke: "#2f8f5b", width: 2,
                 value: function (_u, v) { return v === null ? "—" : v.toFixed(2); }},
                {label: t("previous"), stroke: "#adb5bd", width: 1.5, dash: [6, 4],
                 value: function (_u, v) { return v === null ? "—" : v.toFixed(2); }}
            ],
            axes: [
                {values: function (_u, ticks) { return ticks.map(function (v) { return Number.isInteger(v) ? label(v) : ""; }); }},
                {size: 60, values: function (_u, ticks) { return ticks.map(function (v) { return v >= 10000 ? t("ten_thousand", {n: v / 10000}) : String(v); }); }}
            ]
        };
        if (plot) { plot.destroy(); }
        box.textContent = "";
        plot = new uPlot(opts, [xs, now, before], box);
    }
    function drawBars(box, rows, name) {
        box.textContent = "";
        var max = rows.reduce(function (m, r) { return Math.max(m, r.gmv_fen); }, 0);
        var list = el("ol", "sales-bars");
        rows.forEach(function (r) {
            var li = el("li"), track = el("span", "track"), fill = el("span", "fill");
            li.appendChild(el("span", "name", name(r)));
            fill.style.display = "block";
            fill.style.width = (max ? (100 * r.gmv_fen / max) : 0) + "%";
            track.appendChild(fill);
            track.appendChild(el("span", "value", "¥" + yuan(r.gmv_fen)));
            li.appendChild(track);
            list.appendChild(li);
        });
        box.appendChild(list);
    }
    function step(gmv, max) { return gmv > 0 && max > 0 ? Math.min(4, Math.floor(5 * gmv / max - 1e-9)) : -1; }
    function drawMap(box, p) {
        var towns = p.towns.filter(function (t) { return t.code; }).slice().sort(function (a, b) { return a.code < b.code ? -1 : 1; });
        box.textContent = "";
        if (!towns.length) { return; }
        var select = form.elements.town;
        var max = towns.reduce(function (m, t) { return Math.max(m, t.gmv_fen); }, 0);
        var cols = Math.ceil(Math.sqrt(towns.length * 1.5)), w = 76, h = 46, gap = 4;
        var rows = Math.ceil(towns.length / cols);
        var ns = "http://www.w3.org/2000/svg";
        var svg = document.createElementNS(ns, "svg");
        svg.setAttribute("viewBox", "0 0 " + (cols * (w + gap)) + " " + (rows * (h + gap)));
        svg.setAttribute("role", "group");
        svg.setAttribute("aria-label", t("map"));
        towns.forEach(function (t, i) {
            var g = document.createElementNS(ns, "g"), x = (i % cols) * (w + gap), y = Math.floor(i / cols) * (h + gap);
            var rect = document.createElementNS(ns, "rect"), s = step(t.gmv_fen, max);
            var title = document.createElementNS(ns, "title");
            title.textContent = t.name + "：¥" + yuan(t.gmv_fen);
            rect.setAttribute("x", x); rect.setAttribute("y", y);
            rect.setAttribute("width", w); rect.setAttribute("height", h); rect.setAttribute("rx", 4);
            rect.setAttribute("fill", s < 0 ? NONE_COLOUR : MAP_COLOURS[s]);
            rect.setAttribute("class", "tile" + (p.filters.town === t.code ? " selected" : ""));
            var clickable = select && !select.disabled && select.querySelector('option[value="' + t.code + '"]');
            if (clickable) {
                rect.setAttribute("tabindex", "0");
                rect.setAttribute("role", "button");
                var pick = function () { select.value = p.filters.town === t.code ? "" : t.code; refresh(); };
                rect.addEventListener("click", pick);
                rect.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
            }
            rect.appendChild(title);
            g.appendChild(rect);
            var text = document.createElementNS(ns, "text");
            text.setAttribute("x", x + w / 2); text.setAttribute("y", y + h / 2 + 4);
            text.setAttribute("text-anchor", "middle");
            text.setAttribute("fill", s >= 3 ? "#fff" : "#212529");
            text.textContent = t.name.length > 5 ? t.name.slice(0, 5) : t.name;
            g.appendChild(text);
            svg.appendChild(g);
        });
        var wrap = el("div", "sales-map");
        wrap.appendChild(svg);
        var legend = el("div", "sales-legend");
        var none = el("span", "", t("no_sales"));
        none.style.setProperty("--c", NONE_COLOUR);
        legend.appendChild(none);
        MAP_COLOURS.forEach(function (c, i) {
            var s = el("span", "", "≤ ¥" + yuan(Math.round(max * (i + 1) / 5)));
            s.style.setProperty("--c", c);
            legend.appendChild(s);
        });
        wrap.appendChild(legend);
        box.appendChild(wrap);
    }
    var NAMES = {
        products: function (r) { return r.title; },
        cooperatives: function (r) { return r.name; },
        categories: function (r) { return r.name; }
    };
    function drawCharts(p) {
        root.querySelectorAll("[data-chart]").forEach(function (box) {
            var key = box.dataset.key, kind = box.dataset.chart;
            if (kind === "line") { drawLine(box, p); }
            else if (kind === "bars") { drawBars(box, p[key], NAMES[key]); }
            else if (kind === "map") { drawMap(box, p); }
        });
    }

    function draw(p) {
        payload = p;
        drawCards(p);
        Object.keys(p.tables).forEach(function (key) { drawTable(key, p.tables[key]); });
        drawCharts(p);
        var empty = role("empty");
        if (empty) { empty.hidden = !p.empty; }
        var period = role("period");
        if (period) {
            period.textContent = t("period", {first: p.period.first, last: p.period.last,
                pf: p.period.previous.first, pl: p.period.previous.last});
        }
        var label = document.querySelector('[data-role="scope-label"]');
        if (label) { label.textContent = p.scope.label; }
        if (p.exports) {
            root.querySelectorAll("a[data-export]").forEach(function (a) {
                a.href = p.exports[a.dataset.export][a.dataset.fmt];
            });
        }
    }

    function showErrors(errors) {
        form.querySelectorAll(".is-invalid").forEach(function (e) { e.classList.remove("is-invalid"); });
        form.querySelectorAll("[data-error-for]").forEach(function (e) { e.textContent = ""; });
        var box = role("errors"), all = [];
        Object.keys(errors || {}).forEach(function (field) {
            var input = form.elements[field], msg = errors[field].join(" ");
            all.push(msg);
            if (input) { input.classList.add("is-invalid"); }
            var slot = form.querySelector('[data-error-for="' + field + '"]');
            if (slot) { slot.textContent = msg; }
        });
        box.textContent = all.length ? t("errors") + all.join(" ") : "";
        box.hidden = !all.length;
    }

    function refresh() {
        var qs = query();
        history.replaceState(null, "", qs ? "?" + qs : location.pathname);
        if (!payload) { window.location.reload(); return; }  // the page had no figures to update
        if (pending) { pending.abort(); }
        pending = window.AbortController ? new AbortController() : null;
        role("loading").hidden = false;
        root.classList.add("sales-loading");
        fetch(dataUrl + (qs ? "?" + qs : ""), {credentials: "same-origin",
            headers: {"Accept": "application/json"}, signal: pending ? pending.signal : undefined})
            .then(function (r) {
                return r.json().then(function (body) { return {status: r.status, body: body}; },
                    function () { return {status: r.status, body: {}}; });
            })
            .then(function (res) {
                if (res.status === 200) { showErrors({}); draw(res.body); }
                else if (res.body.errors) { showErrors(res.body.errors); }
                else { showErrors({__all__: [t("failed", {status: res.status})]}); }
            })
            .catch(function (err) {
                if (err && err.name === "AbortError") { return; }
                showErrors({__all__: [t("offline")]});
            })
            .then(function () { role("loading").hidden = true; root.classList.remove("sales-loading"); });
    }

    form.addEventListener("change", function (e) {
        if (e.target.name === "county" && form.elements.town) {
            // another county's towns: reload so the town list is that county's
            form.elements.town.value = "";
            var qs = query();
            window.location.search = qs ? "?" + qs : "";
            return;
        }
        refresh();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
    form.querySelectorAll("a[data-first]").forEach(function (a) {
        a.addEventListener("click", function (e) {
            e.preventDefault();
            form.elements.first.value = a.dataset.first;
            form.elements.last.value = a.dataset.last;
            refresh();
        });
    });
    var resizeTimer = null;
    window.addEventListener("resize", function () {
        window.clearTimeout(resizeTimer);
        resizeTimer = window.setTimeout(function () { if (payload) { drawCharts(payload); } }, 200);
    });
    if (payload) { drawCharts(payload); }
})();
