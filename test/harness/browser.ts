// Debian's Chromium for browser tests, launched with the flags this closed network needs (no background
// connections that would be refused many at a time).
import { existsSync } from "node:fs";
import type { Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A skip reason when there is no browser (CI installs it), else false. */
export const SKIP_NO_BROWSER: string | false = existsSync(CHROMIUM)
  ? false
  : `no browser at ${CHROMIUM} (apt-get install chromium)`;

/** One SVG chart of an HTML report as laid out in the page: its title, width and each line's drawn box. */
export interface DrawnChart {
  title: string;
  width: number;
  series: { name: string | null; width: number; height: number }[];
}

/** The report's charts (`svg.chart`) as the browser drew them, in page order. */
export function drawnCharts(page: Page): Promise<DrawnChart[]> {
  return page.$$eval("svg.chart", (svgs) =>
    svgs.map((svg) => ({
      title: svg.querySelector("text.title")?.textContent ?? "",
      width: svg.getBoundingClientRect().width,
      series: Array.from(svg.querySelectorAll("path.series")).map((p) => {
        const box = (p as SVGGraphicsElement).getBBox();
        return { name: p.getAttribute("data-series"), width: box.width, height: box.height };
      }),
    })),
  );
}
