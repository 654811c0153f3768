/**
 * The USGS earthquake benchmark: fetch → validate → produce to kafka →
 * aggregate with spark and a single-threaded baseline → report.
 *
 * Not built yet: this placeholder keeps `deno task bench` runnable until the
 * pipeline lands.
 *
 * @module
 */

console.log(
  "usgs_benchmark: not built yet — the pipeline lands with the spark, kafka, airflow, http and quality modules",
);
