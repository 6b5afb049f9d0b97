// hanchot HTML report: renders the embedded data lazily (one page of rows, one agency, one month).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("data").textContent);
  var W = D.words, PAGE = 100;
  var AG = D.agencies, RU = D.rules, ST = D.statuses;
  var asOf = new Date(D.asOf + "T00:00:00Z");
  var byName = new Intl.Collator(D.lang).compare;  // one collator: localeCompare(x, lang) builds one per call

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k]; else if (k === "cls") e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function dmy(iso) { return iso ? iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4) : "—"; }
  function badge(s) { return el("span", {cls: "badge b-" + ST[s], text: W[ST[s]]}); }
  function option(value, text) { return el("option", {value: value, text: text}); }
  function daysBetween(iso) { return Math.round((new Date(iso + "T00:00:00Z") - asOf) / 86400000); }
  function explanation(row) { return el("ol", null, row[6].map(function (i) { return el("li", {text: D.strings[i]}); })); }
  // A row: [agency, rule, status, period, due, days late, explanation lines]; statuses are
  // numbered as in D.statuses: 0 overdue, 1 met late, 2 open (the Python STATUSES order).
  var isViolation = function (r) { return r[2] === 0 || r[2] === 1; };
  var violations = D.rows.filter(isViolation);
  var upcoming = D.rows.filter(function (r) { return r[2] === 2; })
    .sort(function (a, b) { return a[4] < b[4] ? -1 : a[4] > b[4] ? 1 : a[0] - b[0]; });

  // -- violations: filter, sort, paginate, expand ------------------------------------------
  var V = {agency: "", level: "", rule: "", status: "", sort: 4, dir: 1, page: 0, open: {}};
  var COLS = [
    [W.agency, function (r) { return AG[r[0]][1]; }],
    [W.level, function (r) { return W[AG[r[0]][2]] || AG[r[0]][2]; }],
    [W.rule, function (r) { return RU[r[1]][1]; }],
    [W.period, function (r) { return r[3]; }],
    [W.due, function (r) { return r[4]; }],
    [W.days_late, function (r) { return r[5] === null ? -1 : r[5]; }],
    [W.status, function (r) { return r[2]; }]
  ];
  function filtered() {
    return violations.filter(function (r) {
      return (V.agency === "" || r[0] === +V.agency) && (V.level === "" || AG[r[0]][2] === V.level) &&
        (V.rule === "" || r[1] === +V.rule) && (V.status === "" || r[2] === +V.status);
    });
  }
  function select(id, label, options, key) {
    var s = el("select", {id: id, "aria-label": label}, [option("", label + ": " + W.all)].concat(options));
    s.addEventListener("change", function () { V[key] = s.value; V.page = 0; drawViolations(); });
    return s;
  }
  function setupViolations() {
    var sec = document.getElementById("violations");
    var used = {}; violations.forEach(function (r) { used[r[0]] = 1; });
    var agencyOptions = Object.keys(used).map(Number).sort(function (a, b) { return byName(AG[a][1], AG[b][1]); })
      .map(function (i) { return option(i, AG[i][1]); });
    var levels = {}; violations.forEach(function (r) { levels[AG[r[0]][2]] = 1; });
    var rules = {}; violations.forEach(function (r) { rules[r[1]] = 1; });
    sec.appendChild(el("h2", null, [W.violations + " (", el("span", {id: "v-count", text: String(violations.length)}), ")"]));
    sec.appendChild(el("div", {cls: "filters"}, [
      select("f-agency", W.agency, agencyOptions, "agency"),
      select("f-level", W.level, Object.keys(levels).sort().map(function (l) { return option(l, W[l] || l); }), "level"),
      select("f-rule", W.rule, Object.keys(rules).map(Number).sort(function (a, b) { return a - b; })
        .map(function (i) { return option(i, RU[i][1]); }), "rule"),
      select("f-status", W.status, [0, 1].map(function (i) { return option(i, W[ST[i]]); }), "status")
    ]));
    var head = el("tr", null, COLS.map(function (c, i) {
      var th = el("th", {text: c[0], "data-col": i, cls: i === 5 ? "num" : ""});
      th.addEventListener("click", function () { V.dir = V.sort === i ? -V.dir : 1; V.sort = i; drawViolations(); });
      return th;
    }));
    sec.appendChild(el("table", {id: "v-table"}, [el("thead", null, [head]), el("tbody", {id: "v-body"})]));
    sec.appendChild(el("div", {cls: "pager", id: "v-pager"}));
    drawViolations();
  }
  function drawViolations() {
    var rows = filtered(), key = COLS[V.sort][1], dir = V.dir;
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = typeof x === "number" ? x - y : V.sort === 4 ? (x < y ? -1 : x > y ? 1 : 0) : byName(String(x), String(y));
      return c * dir || a[0] - b[0] || a[1] - b[1];
    });
    document.getElementById("v-count").textContent = String(rows.length);
    document.querySelectorAll("#v-table thead th").forEach(function (th, i) {
      th.className = (i === 5 ? "num " : "") + (i === V.sort ? (V.dir > 0 ? "sorted-asc" : "sorted-desc") : "");
    });
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    V.page = Math.min(V.page, pages - 1);
    var body = document.getElementById("v-body");
    body.textContent = "";
    rows.slice(V.page * PAGE, V.page * PAGE + PAGE).forEach(function (r) {
      var tr = el("tr", {cls: "row", "data-agency": AG[r[0]][0]}, [
        el("td", {cls: "agency", title: AG[r[0]][0], text: AG[r[0]][1]}),
        el("td", {text: W[AG[r[0]][2]] || AG[r[0]][2]}),
        el("td", {cls: "rule", title: RU[r[1]][0], text: RU[r[1]][1]}),
        el("td", {text: r[3]}),
        el("td", {text: dmy(r[4])}),
        el("td", {cls: "num", text: r[5] === null ? "" : String(r[5])}),
        el("td", null, [badge(r[2])])
      ]);
      var detail = el("tr", {cls: "expl"}, [el("td", {colspan: "7"}, [explanation(r)])]);
      detail.hidden = true;
      tr.addEventListener("click", function () { detail.hidden = !detail.hidden; });
      body.appendChild(tr); body.appendChild(detail);
    });
    var pager = document.getElementById("v-pager");
    pager.textContent = "";
    var prev = el("button", {text: "‹"}), next = el("button", {text: "›"});
    prev.disabled = V.page === 0; next.disabled = V.page >= pages - 1;
    prev.addEventListener("click", function () { V.page--; drawViolations(); });
    next.addEventListener("click", function () { V.page++; drawViolations(); });
    pager.appendChild(prev);
    pager.appendChild(el("span", {text: (V.page + 1) + " / " + pages}));
    pager.appendChild(next);
  }

  // -- upcoming: a list (30 or 90 days) and a month calendar ---------------------------------
  // The calendar opens on the month of the next duty due (or of the as-of date when none is).
  var U = {days: 30, month: (upcoming.length ? upcoming[0][4] : D.asOf).slice(0, 7)};
  function setupUpcoming() {
    var sec = document.getElementById("upcoming");
    sec.appendChild(el("h2", {text: W.upcoming}));
    var bar = el("div", {cls: "filters"});
    [30, 90].forEach(function (n) {
      var b = el("button", {id: "u-" + n, text: W.next_days.replace("{n}", n)});
      b.addEventListener("click", function () { U.days = n; drawUpcoming(); });
      bar.appendChild(b);
    });
    sec.appendChild(bar);
    sec.appendChild(el("div", {id: "u-list"}));
    var nav = el("div", {cls: "pager"});
    var prev = el("button", {text: "‹"}), next = el("button", {text: "›"});
    prev.addEventListener("click", function () { U.month = shiftMonth(U.month, -1); drawCalendar(); });
    next.addEventListener("click", function () { U.month = shiftMonth(U.month, 1); drawCalendar(); });
    nav.appendChild(prev); nav.appendChild(el("b", {id: "u-month"})); nav.appendChild(next);
    sec.appendChild(nav);
    sec.appendChild(el("div", {cls: "cal", id: "u-cal"}));
    drawUpcoming(); drawCalendar();
  }
  function shiftMonth(ym, by) {
    var y = +ym.slice(0, 4), m = +ym.slice(5, 7) - 1 + by;
    y += Math.floor(m / 12); m = ((m % 12) + 12) % 12;
    return y + "-" + (m < 9 ? "0" : "") + (m + 1);
  }
  function rowsList(rows, limit) {
    var byDay = {};
    rows.forEach(function (r) { (byDay[r[4]] = byDay[r[4]] || []).push(r); });
    var list = el("ul", {cls: "updays"}), shown = 0;
    Object.keys(byDay).sort().forEach(function (day) {
      if (shown >= limit) return;
      var items = byDay[day].slice(0, Math.max(0, limit - shown));
      shown += items.length;
      list.appendChild(el("li", null, [el("b", {text: dmy(day) + " (" + W.in_days.replace("{n}", daysBetween(day)) + ")"}),
        el("ul", null, items.map(function (r) {
          return el("li", null, [el("span", {title: AG[r[0]][0], text: AG[r[0]][1]}), " — ",
            el("span", {title: RU[r[1]][0], text: RU[r[1]][1]}), r[3] ? " (" + r[3] + ")" : ""]);
        }))]));
    });
    return list;
  }
  function drawUpcoming() {
    [30, 90].forEach(function (n) { document.getElementById("u-" + n).className = U.days === n ? "on" : ""; });
    var rows = upcoming.filter(function (r) { return daysBetween(r[4]) <= U.days; });
    var box = document.getElementById("u-list");
    box.textContent = "";
    box.appendChild(el("p", {cls: "muted", text: rows.length + " " + W.obligations.toLowerCase()}));
    if (!rows.length) { box.appendChild(el("p", {text: W.none})); return; }
    box.appendChild(rowsList(rows, 300));
    if (rows.length > 300) box.appendChild(el("p", {cls: "muted", text: W.more.replace("{n}", rows.length - 300)}));
  }
  function drawCalendar() {
    document.getElementById("u-month").textContent = U.month.slice(5, 7) + "/" + U.month.slice(0, 4);
    var cal = document.getElementById("u-cal");
    cal.textContent = "";
    var names = D.lang === "vi" ? ["T2", "T3", "T4", "T5", "T6", "T7", "CN"] : ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    names.forEach(function (n) { cal.appendChild(el("div", {cls: "head", text: n})); });
    var first = new Date(U.month + "-01T00:00:00Z"), lead = (first.getUTCDay() + 6) % 7;
    var days = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
    var byDay = {};
    upcoming.forEach(function (r) { if (r[4].slice(0, 7) === U.month) (byDay[r[4]] = byDay[r[4]] || []).push(r); });
    for (var i = 0; i < lead; i++) cal.appendChild(el("div", {cls: "out"}));
    for (var d = 1; d <= days; d++) {
      var iso = U.month + "-" + (d < 10 ? "0" : "") + d, items = byDay[iso] || [];
      var cell = el("div", {cls: items.length ? "busy" : ""}, [el("span", {cls: "day", text: String(d)})]);
      items.slice(0, 3).forEach(function (r) {
        cell.appendChild(el("div", {cls: "item", title: AG[r[0]][1] + " — " + RU[r[1]][1], text: AG[r[0]][1]}));
      });
      if (items.length > 3) cell.appendChild(el("div", {cls: "item muted", text: "+" + (items.length - 3)}));
      cal.appendChild(cell);
    }
  }

  // -- per agency: one section an officer can print or send ---------------------------------
  var countsOf = {};
  D.counts.forEach(function (c) { (countsOf[c[0]] = countsOf[c[0]] || []).push(c); });
  function setupAgencies() {
    var sec = document.getElementById("agencies");
    sec.appendChild(el("h2", {text: W.agencies}));
    var order = AG.map(function (_, i) { return i; }).sort(function (a, b) { return byName(AG[a][1], AG[b][1]); });
    var s = el("select", {id: "a-select", "aria-label": W.agency}, [option("", W.agency + "…")]
      .concat(order.map(function (i) { return option(AG[i][0], AG[i][1] + " (" + AG[i][0] + ")"); })));
    s.addEventListener("change", function () { location.hash = s.value ? "agency=" + encodeURIComponent(s.value) : ""; drawAgency(s.value); });
    var print = el("button", {text: W.print});
    print.addEventListener("click", function () { document.body.classList.add("print-agency"); window.print(); document.body.classList.remove("print-agency"); });
    sec.appendChild(el("div", {cls: "filters"}, [s, print]));
    sec.appendChild(el("div", {id: "a-body"}));
    var m = /agency=([^&]+)/.exec(location.hash);
    if (m) { s.value = decodeURIComponent(m[1]); drawAgency(s.value); }
    else if (AG.length === 1) { s.value = AG[0][0]; drawAgency(s.value); }  // one agency's own page
  }
  function drawAgency(id) {
    var box = document.getElementById("a-body");
    box.textContent = "";
    var idx = -1;
    AG.forEach(function (a, i) { if (a[0] === id) idx = i; });
    if (idx < 0) return;
    box.appendChild(el("h3", {text: AG[idx][1]}));
    box.appendChild(el("p", {cls: "muted", text: AG[idx][0] + " · " + (W[AG[idx][2]] || AG[idx][2])}));
    var perRule = {};
    (countsOf[idx] || []).forEach(function (c) { (perRule[c[1]] = perRule[c[1]] || [0, 0, 0, 0, 0])[c[2]] += c[3]; });
    var head = el("tr", null, [el("th", {text: W.rule})].concat(ST.map(function (s) { return el("th", {cls: "num", text: W[s]}); })));
    var body = el("tbody", null, Object.keys(perRule).map(Number).sort(function (a, b) { return a - b; }).map(function (r) {
      return el("tr", null, [el("td", {title: RU[r][0], text: RU[r][1]})].concat(perRule[r].map(function (n) {
        return el("td", {cls: "num", text: String(n)});
      })));
    }));
    box.appendChild(el("table", null, [el("thead", null, [head]), body]));
    var mine = violations.filter(function (r) { return r[0] === idx; });
    box.appendChild(el("h3", {text: W.violations + " (" + mine.length + ")"}));
    box.appendChild(mine.length ? el("ul", null, mine.map(function (r) {
      return el("li", null, [badge(r[2]), " ", el("b", {title: RU[r[1]][0], text: RU[r[1]][1]}),
        " — " + (r[3] ? r[3] + " — " : "") + W.due + " " + dmy(r[4]) + (r[5] !== null ? " (" + r[5] + " " + W.days_late.toLowerCase() + ")" : ""),
        explanation(r)]);
    })) : el("p", {text: W.none}));
    var next = upcoming.filter(function (r) { return r[0] === idx; });
    box.appendChild(el("h3", {text: W.upcoming + " (" + next.length + ")"}));
    box.appendChild(next.length ? rowsList(next, 1000) : el("p", {text: W.none}));
  }

  setupViolations();
  setupUpcoming();
  setupAgencies();
  document.body.setAttribute("data-ready", "1");
})();
