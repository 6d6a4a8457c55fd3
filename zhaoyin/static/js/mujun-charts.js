/* The 亩均 report charts (strict CSP: no inline script, no style attributes).

   All chart data of a page sits in one json_script element, #mujun-data: {"<key>": spec, ...};
   each container has data-mu-chart="<key>", its size from CSS (.zy-chart). A spec is one of
     {"kind": "bar", "series": "...", "items": [{"name": "A", "value": 12, "url": "..."}, ...]}
     {"kind": "line", "series": "...", "items": [{"name": "2024", "value": 81.5}, ...]}
     {"kind": "radar", "series": "...", "benchmark": "...",
      "items": [{"name": "亩均税收", "value": 1.25}, ...]}   (value ÷ benchmark: 1 is the benchmark)
   Clicking a bar with a url opens it (the drill-down to the results it counts). */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var source = document.getElementById("mujun-data");
  if (!source) { return; }
  var data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }
  var GRADE_COLORS = { A: "#2f9e8f", B: "#3b7dd8", C: "#f2a93b", D: "#c8102e" };
  var LABEL = { color: "#374151" };

  function barOption(spec) {
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: { type: "category", data: spec.items.map(function (it) { return it.name; }), axisLabel: LABEL },
      yAxis: { type: "value", minInterval: 1, axisLabel: LABEL, splitLine: { lineStyle: { color: "#eef1f5" } } },
      series: [{
        type: "bar", name: spec.series || "", barMaxWidth: 36, cursor: "pointer",
        data: spec.items.map(function (it) {
          return { value: it.value, itemStyle: { color: GRADE_COLORS[it.name] || "#6b7280" } };
        }),
        label: { show: true, position: "top", color: "#374151" }
      }]
    };
  }

  function lineOption(spec) {
    return {
      animation: false,
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: spec.items.map(function (it) { return it.name; }), axisLabel: LABEL },
      yAxis: { type: "value", axisLabel: LABEL, splitLine: { lineStyle: { color: "#eef1f5" } } },
      series: [{ type: "line", name: spec.series || "", data: spec.items.map(function (it) { return it.value; }),
        label: { show: true, color: "#374151" }, itemStyle: { color: "#1d4f91" } }]
    };
  }

  function radarOption(spec) {
    var top = Math.max(1.5, Math.ceil(Math.max.apply(null, spec.items.map(function (it) { return it.value || 0; })) * 1.2 * 10) / 10);
    return {
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { bottom: 0, data: [spec.series || "", spec.benchmark || ""] },
      radar: { indicator: spec.items.map(function (it) { return { name: it.name, max: top }; }), radius: "62%" },
      series: [{
        type: "radar",
        data: [
          { name: spec.series || "", value: spec.items.map(function (it) { return it.value; }),
            itemStyle: { color: "#1d4f91" }, areaStyle: { opacity: 0.15 } },
          { name: spec.benchmark || "", value: spec.items.map(function () { return 1; }),
            itemStyle: { color: "#c8102e" }, lineStyle: { type: "dashed" } }
        ]
      }]
    };
  }

  function render(el) {
    var spec = data[el.getAttribute("data-mu-chart")];
    if (!spec || !spec.items) { return; }
    var locale = document.documentElement.lang === "zh-CN" ? "ZH" : "EN";
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: locale });
    chart.setOption(spec.kind === "line" ? lineOption(spec) : spec.kind === "radar" ? radarOption(spec) : barOption(spec));
    chart.on("click", function (params) {
      var item = spec.items[params.dataIndex];
      if (spec.kind === "bar" && item && item.url) { window.location.assign(item.url); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-mu-chart]").forEach(render);
})();
