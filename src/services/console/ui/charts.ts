/** Chart.js (bundled, only the parts used): a timeline and doughnuts, coloured from the theme's CSS variables. */
import { ArcElement, CategoryScale, Chart, DoughnutController, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(ArcElement, CategoryScale, DoughnutController, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

const live = new Set<Chart>();

function css(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function palette(): string[] {
  return Array.from({ length: 9 }, (_, i) => css(`--c${i}`));
}

function applyDefaults(): void {
  Chart.defaults.color = css('--muted');
  Chart.defaults.borderColor = css('--grid');
  Chart.defaults.font.family = css('--font');
  Chart.defaults.font.size = 12;
}

/** Destroys every chart (before a page is re-rendered). */
export function destroyCharts(): void {
  for (const c of live) c.destroy();
  live.clear();
}

export function lineChart(canvas: HTMLCanvasElement, labels: string[], series: Array<{ label: string; data: number[] }>): Chart {
  applyDefaults();
  const colors = palette();
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      labels,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.data,
        borderColor: colors[i],
        backgroundColor: `${colors[i]}33`,
        fill: true,
        tension: 0.25,
        pointRadius: 0,
        pointHoverRadius: 4,
        borderWidth: 2,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 12, autoSkip: true, maxRotation: 0 } } },
      plugins: { legend: { position: 'top', align: 'end', labels: { boxWidth: 12, boxHeight: 12 } } },
    },
  });
  live.add(chart);
  return chart;
}

export function doughnut(canvas: HTMLCanvasElement, slices: Array<{ key: string; n: number }>): Chart {
  applyDefaults();
  const colors = palette();
  const chart = new Chart(canvas, {
    type: 'doughnut',
    data: {
      labels: slices.map((s) => (s.key.length > 20 ? `${s.key.slice(0, 19)}…` : s.key)),
      datasets: [{ data: slices.map((s) => s.n), backgroundColor: slices.map((_, i) => colors[i % colors.length]!), borderColor: css('--card'), borderWidth: 2 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      cutout: '58%',
      plugins: { legend: { position: 'right', labels: { boxWidth: 10, boxHeight: 10, padding: 7, font: { size: 11 } } } },
    },
  });
  live.add(chart);
  return chart;
}
