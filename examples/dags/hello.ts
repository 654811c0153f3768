// The smallest useful DAG file: an hourly run that says hello through a
// program, retries a flaky step, and cleans up whatever happened.
//
//   deno task airflow dags test hello
//   deno task airflow tasks logs hello say_hello <run_id>

import { CommandOperator, DAG } from "../../airflow/mod.ts";

export const hello: DAG = new DAG("hello", {
  description: "Hello from a subprocess, a retry and a teardown",
  schedule: "@hourly",
  startDate: "2024-01-01",
  defaultArgs: { retries: 1, retryDelay: 100 },
});

const setup = hello.task("make_workdir", async (ctx) => {
  const dir = `out/airflow/hello/${ctx.runId.replaceAll(":", "-")}`;
  await Deno.mkdir(dir, { recursive: true });
  ctx.log.info(`work dir ${dir}`);
  return dir;
}).asSetup();

const say = hello.add(
  new CommandOperator({
    taskId: "say_hello",
    command: [
      Deno.execPath(),
      "eval",
      "console.log('hello from a subprocess')",
    ],
  }),
);

const flaky = hello.task("flaky", (ctx) => {
  ctx.log.info(`try ${ctx.tryNumber}`);
  if (ctx.tryNumber === 1) throw new Error("first try always fails");
  return "ok on a retry";
});

const cleanup = hello.task("remove_workdir", async (ctx) => {
  const dir = ctx.xcom.pull<string>("make_workdir");
  if (dir) await Deno.remove(dir, { recursive: true });
}).asTeardown({ setups: setup });

setup.then(say).then(flaky).then(cleanup);
