/* The cockpit's charts (strict CSP: no inline script, no style attributes).

   All chart data sits in one json_script element, #cockpit-data: {"<key>": spec, ...}. Each
   container has data-cockpit-chart="<key>"; its size comes from CSS (.zy-chart). A spec is
     {"kind": "bar" | "hbar" | "pie", "series": "...", "unit": "%", "mark": 75, "mark_label": "...",
      "items": [{"name": "...", "value": 1.5, "url": "/projects/?stage=lead"}, ...]}
   "mark" draws a horizontal line (序时进度); clicking an item with a url opens it. */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var source = document.getElementById("cockpit-data");
  if (!source) { return; }
  var data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }

  var PALETTE = ["#1d4f91", "#3b7dd8", "#2f9e8f", "#f2a93b", "#e76f51", "#8e6cc8", "#7cb342"];
  var LABEL = { color: "#374151" };

  function suffix(spec) { return spec.unit ? "{c}" + spec.unit : "{c}"; }

  function barOption(spec) {
    var names = spec.items.map(function (it) { return it.name; });
    var values = spec.items.map(function (it) { return it.value; });
    var series = {
      type: "bar", name: spec.series || "", data: values, barMaxWidth: 28, cursor: "pointer",
      itemStyle: { color: "#3b6fb6" }, label: { show: true, position: "top", color: "#374151", formatter: suffix(spec) }
    };
    if (typeof spec.mark === "number") {
      series.markLine = {
        symbol: "none", silent: true, lineStyle: { color: "#c8102e", type: "dashed" },
        label: { formatter: (spec.mark_label || "") + " " + spec.mark + (spec.unit || ""), position: "insideEndTop" },
        data: [{ yAxis: spec.mark }]
      };
    }
    return {
      animation: false, color: PALETTE,
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: { type: "category", data: names, axisLabel: { color: "#374151", interval: 0, rotate: names.length > 6 && names.some(function (n) { return n.length > 4; }) ? 30 : 0 } },
      // The mark line must stay inside the value axis, or ECharts clips it away.
      yAxis: { type: "value", axisLabel: LABEL, splitLine: { lineStyle: { color: "#eef1f5" } },
        max: typeof spec.mark === "number" ? function (v) { return Math.ceil(Math.max(v.max, spec.mark) * 1.1); } : null },
      series: [series]
    };
  }

  function hbarOption(spec) {
    return {
      animation: false, color: PALETTE,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: { type: "value", splitLine: { lineStyle: { color: "#eef1f5" } } },
      yAxis: { type: "category", inverse: true, data: spec.items.map(function (it) { return it.name; }),
        axisTick: { show: false }, axisLabel: { color: "#374151", width: 110, overflow: "truncate" } },
      series: [{
        type: "bar", name: spec.series || "", data: spec.items.map(function (it) { return it.value; }),
        barMaxWidth: 18, cursor: "pointer", itemStyle: { color: "#3b6fb6" },
        label: { show: true, position: "right", color: "#374151" }
      }]
    };
  }

  function pieOption(spec) {
    return {
      animation: false, color: PALETTE,
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie", name: spec.series || "", radius: ["35%", "62%"], center: ["50%", "45%"],
        data: spec.items.map(function (it) { return { name: it.name, value: it.value }; }),
        label: { formatter: "{d}%" }
      }]
    };
  }

  function render(el) {
    var spec = data[el.getAttribute("data-cockpit-chart")];
    if (!spec || !spec.items) { return; }
    var locale = document.documentElement.lang === "zh-CN" ? "ZH" : "EN";
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: locale });
    var option = spec.kind === "pie" ? pieOption(spec) : spec.kind === "hbar" ? hbarOption(spec) : barOption(spec);
    chart.setOption(option);
    chart.on("click", function (params) {
      var item = spec.items[params.dataIndex];
      if (item && item.url) { window.location.assign(item.url); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-cockpit-chart]").forEach(render);
})();
