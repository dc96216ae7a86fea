export { runDemo } from "./demo.ts";
export { ProgressBar } from "./progress.ts";
export { table } from "./table.ts";
