/**
 * @module
 * The inline stylesheet of the HTML bench report. System fonts only: the page must load nothing.
 */
export const REPORT_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; }
body { margin: 0 auto; max-width: 1320px; padding: 16px 24px 48px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 1.1rem; margin: 24px 0 8px; }
.subtitle { color: #666; margin: 0 0 8px; }
.meta { display: flex; flex-wrap: wrap; gap: 0 48px; }
.meta h2 { margin-top: 12px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; font-size: 0.9rem; }
dt { color: #666; }
dd { margin: 0; word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { font-size: 11px; background: #fff; border: 1px solid #e4e4e4; border-radius: 4px; max-width: 100%; height: auto; }
svg .chart-title { font-size: 13px; font-weight: 600; fill: #333; }
svg .gridline { stroke: #eee; }
svg .axis-line, svg .tick-mark { stroke: #999; }
svg .tick, svg .legend-label { fill: #555; }
svg .axis-label { fill: #333; }
svg .no-data { fill: #999; font-size: 14px; }
svg .line { stroke-width: 2; }
svg .point-label { fill: #444; font-size: 10px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 4px 8px; }
th { background: #f5f5f5; font-weight: 600; }
td { text-align: right; white-space: nowrap; }
td:nth-child(12) { text-align: left; white-space: normal; min-width: 10em; }
tr.failed td { background: #fde8e8; }
.note, .empty { color: #666; font-size: 0.85rem; }
`;
