/* The cockpit's charts (strict CSP: no inline script, no style attributes).

   All chart data sits in one json_script element, #cockpit-data: {"<key>": spec, ...}. Each
   container has data-cockpit-chart="<key>"; its size comes from CSS (.zy-chart). A spec is
     {"kind": "bar" | "hbar" | "pie", "series": "...", "unit": "%", "places": 2,
      "mark": 75, "mark_label": "...",
      "items": [{"name": "...", "short": "...", "value": 1.5, "url": "/projects/?stage=lead",
                 "color": "#9ca3af"}, ...]}
   "places": the decimals every value is printed with (亿元: 2, so 1.5 reads 1.50);
   "short": the axis label (the tooltip keeps the full name); "color": one bar's own colour
   (grey for projects on hold or terminated); "mark" draws a horizontal line (序时进度) whose
   label sits at its end, right of the bars; clicking an item with a url opens it. A spec with
   "empty" has no container here: the page prints its sentence instead (cockpit/_chart.html).

   Category labels never overlap (issue 16 item 7): each chart measures the room per category
   and the widest label, then keeps labels level, turns them 45° or 90°, or shows every n-th
   (axisLayout); it does so again on resize. */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var source = document.getElementById("cockpit-data");
  if (!source) { return; }
  var data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }

  var PALETTE = ["#1d4f91", "#3b7dd8", "#2f9e8f", "#f2a93b", "#e76f51", "#8e6cc8", "#7cb342"];
  var TEXT = "#374151";
  var FONT_PX = 12;   // ECharts' default label size
  var LINE_PX = 16;   // a label's height and the least gap between two labels' baselines
  var BAR = "#3b6fb6";

  function fmt(spec, value) {
    var text = typeof spec.places === "number" ? Number(value).toFixed(spec.places) : String(value);
    return text + (spec.unit || "");
  }

  function shorts(spec) { return spec.items.map(function (it) { return it.short || it.name; }); }

  /* A label's width in px: CJK characters are one em, others about 0.6 em. */
  function textWidth(text) {
    var w = 0;
    for (var i = 0; i < text.length; i += 1) { w += text.charCodeAt(i) > 0x2e7f ? FONT_PX : FONT_PX * 0.6; }
    return w;
  }

  /* How the category labels of a horizontal axis fit in ``width`` px. */
  function axisLayout(labels, width) {
    var n = Math.max(labels.length, 1);
    var per = Math.max((width - 64) / n, 1);
    var widest = Math.max.apply(null, labels.map(textWidth).concat([0]));
    if (widest + 8 <= per) { return { rotate: 0, interval: 0, per: per }; }
    // Turned labels stack side by side: at 45° their spacing across is per · sin 45°.
    if (per * Math.SQRT1_2 >= LINE_PX) { return { rotate: 45, interval: 0, per: per }; }
    if (per >= LINE_PX) { return { rotate: 90, interval: 0, per: per }; }
    return { rotate: 90, interval: Math.ceil(LINE_PX / per) - 1, per: per };
  }

  /* Every n-th label of a vertical category axis ``height`` px tall. */
  function rowInterval(count, height) {
    var per = Math.max((height - 16) / Math.max(count, 1), 1);
    return per >= LINE_PX ? 0 : Math.ceil(LINE_PX / per) - 1;
  }

  function barData(spec) {
    return spec.items.map(function (it) {
      return it.color ? { value: it.value, itemStyle: { color: it.color } } : it.value;
    });
  }

  function tooltip(spec, trigger) {
    return { trigger: trigger, axisPointer: { type: "shadow" }, renderMode: "richText",
      valueFormatter: function (v) { return fmt(spec, v); } };
  }

  function barOption(spec, el) {
    var labels = shorts(spec);
    var layout = axisLayout(labels, el.clientWidth);
    var hasMark = typeof spec.mark === "number";
    // A value wider than its bar's room is turned upright above the bar; any that would still
    // touch another is left to the tooltip (labelLayout.hideOverlap).
    var widestValue = Math.max.apply(null, spec.items.map(function (it) { return textWidth(fmt(spec, it.value)); }));
    var upright = widestValue + 4 > layout.per;
    var series = {
      type: "bar", name: spec.series || "", data: barData(spec), barMaxWidth: 28, cursor: "pointer",
      itemStyle: { color: BAR },
      label: { show: true, position: "top", color: TEXT, rotate: upright ? 90 : 0, align: upright ? "left" : "center",
        verticalAlign: "middle", distance: upright ? 4 : 5, formatter: function (p) { return fmt(spec, p.value); } },
      labelLayout: { hideOverlap: true }
    };
    if (hasMark) {
      series.markLine = {
        symbol: "none", silent: true, lineStyle: { color: "#c8102e", type: "dashed" },
        // At the line's end, right of the last bar (the grid keeps room), never over a bar.
        label: { position: "end", color: "#c8102e", formatter: (spec.mark_label || "") + "\n" + fmt(spec, spec.mark) },
        data: [{ yAxis: spec.mark }]
      };
    }
    return {
      animation: false, color: PALETTE,
      grid: { left: 8, right: hasMark ? 72 : 16, top: 24, bottom: 8, containLabel: true },
      tooltip: tooltip(spec, "axis"),
      xAxis: { type: "category", data: spec.items.map(function (it) { return it.name; }),
        axisTick: { alignWithLabel: true },
        axisLabel: { color: TEXT, interval: layout.interval, rotate: layout.rotate,
          formatter: function (value, index) { return labels[index] !== undefined ? labels[index] : value; } } },
      // The mark line must stay inside the value axis, or ECharts clips it away; an upright
      // value label needs the room above the highest bar.
      yAxis: { type: "value", axisLabel: { color: TEXT, hideOverlap: true }, splitLine: { lineStyle: { color: "#eef1f5" } },
        max: hasMark || upright ? function (v) {
          return Math.ceil(Math.max(v.max, hasMark ? spec.mark : 0) * (upright ? 1.35 : 1.1));
        } : null },
      series: [series]
    };
  }

  function hbarOption(spec, el) {
    var labels = shorts(spec);
    return {
      animation: false, color: PALETTE,
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: tooltip(spec, "axis"),
      // A narrow panel gets fewer value ticks; any label that would still touch its neighbour is hidden.
      xAxis: { type: "value", splitNumber: el.clientWidth < 320 ? 2 : 4, splitLine: { lineStyle: { color: "#eef1f5" } },
        axisLabel: { color: TEXT, hideOverlap: true } },
      yAxis: { type: "category", inverse: true, data: spec.items.map(function (it) { return it.name; }),
        axisTick: { show: false },
        axisLabel: { color: TEXT, width: 110, overflow: "truncate",
          interval: rowInterval(labels.length, el.clientHeight),
          formatter: function (value, index) { return labels[index] !== undefined ? labels[index] : value; } } },
      series: [{
        type: "bar", name: spec.series || "", data: barData(spec),
        barMaxWidth: 18, cursor: "pointer", itemStyle: { color: BAR },
        label: { show: true, position: "right", color: TEXT, formatter: function (p) { return fmt(spec, p.value); } }
      }]
    };
  }

  function pieOption(spec) {
    return {
      animation: false, color: PALETTE,
      tooltip: { trigger: "item", renderMode: "richText", valueFormatter: function (v) { return fmt(spec, v); } },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie", name: spec.series || "", radius: ["35%", "62%"], center: ["50%", "45%"],
        // A zero slice draws no sector, only a stray "0%" label: left out.
        data: spec.items.filter(function (it) { return it.value > 0; })
          .map(function (it) { return { name: it.name, value: it.value }; }),
        label: { formatter: "{d}%" }
      }]
    };
  }

  function option(spec, el) {
    return spec.kind === "pie" ? pieOption(spec) : spec.kind === "hbar" ? hbarOption(spec, el) : barOption(spec, el);
  }

  function render(el) {
    var spec = data[el.getAttribute("data-cockpit-chart")];
    if (!spec || !spec.items || spec.empty) { return; }
    var locale = document.documentElement.lang === "zh-CN" ? "ZH" : "EN";
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: locale });
    chart.setOption(option(spec, el));
    chart.on("click", function (params) {
      var item = spec.items[params.dataIndex];
      if (item && item.url) { window.location.assign(item.url); }
    });
    window.addEventListener("resize", function () {
      chart.resize();
      chart.setOption(option(spec, el));  // the room per label changed: lay the axis out again
    });
  }

  document.querySelectorAll("[data-cockpit-chart]").forEach(render);
})();
