/* Charts without inline script (strict CSP).

   A chart is an element with data-zy-chart="<id of a json_script element>"; its size comes
   from CSS (.zy-chart), never a style attribute. The JSON is:
     {"kind": "bar" | "pie", "title": "...", "series": "...",
      "items": [{"name": "...", "value": 12, "url": "/enterprises/?industry=3"}, ...]}
   Clicking an item with a url opens it (click-through to the filtered list).
   Tooltips render as rich text inside the canvas: ECharts' HTML tooltips carry inline
   style attributes, which the CSP would strip. */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }

  var PALETTE = ["#1d4f91", "#3b7dd8", "#5aa0e6", "#2f9e8f", "#7cb342", "#f2a93b",
    "#e76f51", "#8e6cc8", "#c8102e", "#6b7280", "#14746f", "#a16207", "#9ca3af"];

  function barOption(spec) {
    var names = spec.items.map(function (it) { return it.name; });
    var values = spec.items.map(function (it) { return it.value; });
    return {
      animation: false,
      color: PALETTE,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f5" } } },
      yAxis: { type: "category", data: names, inverse: true,
        axisTick: { show: false }, axisLabel: { color: "#374151", width: 110, overflow: "truncate" } },
      series: [{
        type: "bar", name: spec.series || "", data: values, barMaxWidth: 18,
        itemStyle: { color: "#3b6fb6", borderRadius: [0, 2, 2, 0] },
        emphasis: { itemStyle: { color: "#1d4f91" } },
        label: { show: true, position: "right", color: "#374151" },
        cursor: "pointer"
      }]
    };
  }

  function pieOption(spec) {
    return {
      animation: false,
      color: PALETTE,
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { type: "scroll", orient: "vertical", right: 0, top: "middle" },
      series: [{
        type: "pie", name: spec.series || "", radius: ["40%", "70%"], center: ["40%", "50%"],
        data: spec.items.map(function (it) { return { name: it.name, value: it.value }; }),
        label: { formatter: "{b}: {c}" }
      }]
    };
  }

  function render(el) {
    var source = document.getElementById(el.getAttribute("data-zy-chart"));
    if (!source) { return; }
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (e) { return; }
    if (!spec || !spec.items) { return; }
    var locale = document.documentElement.lang === "zh-CN" ? "ZH" : "EN";
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: locale });
    chart.setOption(spec.kind === "pie" ? pieOption(spec) : barOption(spec));
    chart.on("click", function (params) {
      var item = spec.items[params.dataIndex];
      if (item && item.url) { window.location.assign(item.url); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-zy-chart]").forEach(render);
})();
